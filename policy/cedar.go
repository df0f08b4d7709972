package policy

import (
	"fmt"
	"strings"
	"time"

	cedar "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"

	"github.com/enlace-exchange/enlace"
)

// Cedar entity types and actions of the model.
const (
	typeAgency    = types.EntityType("Agency")
	typeNation    = types.EntityType("Nation")
	typeTaskForce = types.EntityType("TaskForce")
	typePurpose   = types.EntityType("Purpose")
	typeReport    = types.EntityType("Report")
	typeAction    = types.EntityType("Action")

	actRelease       = types.String("release")        // the originator releases to the principal
	actReleaseOnward = types.String("release-onward") // a holder passes the report on to the principal
	actReach         = types.String("reach")          // the originator's directives judge the pair an onward release reaches
)

// cedarPolicy tells what a policy of the set stands for.
type cedarPolicy struct {
	agreement int // index in Policy.agrs, or -1
	directive int // index in Policy.dirs, or -1
}

const cedarHeader = `// enlace policy set, generated from the exchange's agreements, markings and
// directives. Each request asks: may context.source hand this report to
// principal (an agency) for context.purpose at context.now?
//
//   principal  Agency::"DEA", a member of Nation::"US" and of its task forces
//   action     Action::"release"        the originator releases the report
//              Action::"release-onward" a holder (context.source) passes it on
//              Action::"reach"          an onward release, seen from the originator:
//                                       only the originator's directives judge it
//   resource   Report::"report--..." with originator, tlp (1 clear .. 5 red),
//              handling ("siena:H2", ...), recipients, allowed_purposes,
//              prohibited_purposes, onward, no_judicial_use
//   context    purpose (Purpose::"seizure" in Purpose::"interdiction" in ...),
//              now (datetime, ms) and now_ns (ns within the ms), source,
//              consent (a granted consent lets principal use it for the purpose),
//              received_onward (the onward rule of the agreement under which
//              the holder received the report)
//
// An onward release is allowed only when three requests are: the holder's
// own release from the originator, the release-onward from the holder, and
// the reach from the originator. Any forbid denies; otherwise a permit allows.
`

// buildCedar writes the policy set of w as text, parses it back with
// cedar-go and builds the static entities.
func (p *Policy) buildCedar(w World) error {
	var b strings.Builder
	b.WriteString(cedarHeader)
	b.WriteString(staticPolicies)
	for i := range p.agrs {
		b.WriteString("\n")
		p.writeAgreement(&b, &p.agrs[i])
	}
	for i := range p.dirs {
		if p.dirs[i].Action != enlace.ActionSuspend {
			continue
		}
		b.WriteString("\n")
		p.writeSuspension(&b, i)
	}
	p.text = b.String()

	list, err := cedar.NewPolicyListFromBytes("enlace.cedar", []byte(p.text))
	if err != nil {
		return enlace.Errorf(enlace.EInvalid, "policy: compile cedar policy set: %v", err)
	}
	p.cedar = cedar.NewPolicySet()
	p.cedarMeta = map[cedar.PolicyID]cedarPolicy{}
	for _, pol := range list {
		id := cedar.PolicyID(pol.Annotations()["id"])
		if !p.cedar.Add(id, pol) {
			return enlace.Errorf(enlace.EInvalid, "policy: two cedar policies named %q", id)
		}
		p.cedarMeta[id] = cedarPolicy{agreement: -1, directive: -1}
	}
	for i := range p.agrs {
		p.cedarMeta[cedar.PolicyID(p.agrs[i].policy)] = cedarPolicy{agreement: i, directive: -1}
	}
	for i := range p.dirs {
		p.cedarMeta[cedar.PolicyID(p.dirs[i].policy)] = cedarPolicy{agreement: -1, directive: i}
	}

	p.statics = cedar.EntityMap{}
	nations := map[string]bool{}
	for _, pa := range p.parties {
		parents := []types.EntityUID{types.NewEntityUID(typeNation, types.String(pa.Nation))}
		for _, tf := range pa.TaskForces {
			parents = append(parents, types.NewEntityUID(typeTaskForce, types.String(tf)))
		}
		uid := types.NewEntityUID(typeAgency, types.String(pa.Agency))
		p.statics[uid] = types.Entity{UID: uid, Parents: types.NewEntityUIDSet(parents...)}
		nations[pa.Nation] = true
	}
	for n := range nations {
		uid := types.NewEntityUID(typeNation, types.String(n))
		p.statics[uid] = types.Entity{UID: uid}
	}
	for _, tf := range w.TaskForces {
		uid := types.NewEntityUID(typeTaskForce, types.String(tf.ID))
		p.statics[uid] = types.Entity{UID: uid}
	}
	for _, pu := range p.purposes {
		uid := purposeUID(pu)
		var parents types.EntityUIDSet
		if par := p.vocab.Parent(pu); par != "" {
			parents = types.NewEntityUIDSet(purposeUID(par))
		}
		p.statics[uid] = types.Entity{UID: uid, Parents: parents}
	}
	return nil
}

const staticPolicies = `
@id("own report")
@reason("An agency may always read its own reports; no other rule applies to them.")
permit (principal, action == Action::"release", resource)
when { principal == resource.originator };

@id("marking prohibited-purposes")
@reason("The report's use restriction prohibits the purpose.")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { context.purpose in resource.prohibited_purposes }
unless { principal == resource.originator };

@id("marking allowed-purposes")
@reason("The report's use restriction allows only some purposes, and not this one.")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { !resource.allowed_purposes.isEmpty() && !(context.purpose in resource.allowed_purposes) }
unless { principal == resource.originator };

@id("handling siena:H0")
@reason("SIENA H0: use only for preventing and combating crime (law-enforcement).")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { resource.handling.contains("siena:H0") && !(context.purpose in Purpose::"law-enforcement") }
unless { principal == resource.originator };

@id("handling siena:H1")
@reason("SIENA H1: not to be used in judicial proceedings without the provider's consent.")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { resource.handling.contains("siena:H1") && context.purpose in Purpose::"prosecution" }
unless { principal == resource.originator || context.consent };

@id("marking no-judicial-use")
@reason("The report's use restriction bars judicial use without the originator's consent.")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { resource.no_judicial_use && context.purpose in Purpose::"prosecution" }
unless { principal == resource.originator || context.consent };

@id("marking tlp-red")
@reason("TLP:RED goes only to the agencies the report names.")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { resource.tlp == 5 && !(principal in resource.recipients) }
unless { principal == resource.originator };

@id("marking tlp-amber+strict")
@reason("TLP:AMBER+STRICT that names recipients goes only to them.")
forbid (principal, action in [Action::"release", Action::"release-onward"], resource)
when { resource.tlp == 4 && !resource.recipients.isEmpty() && !(principal in resource.recipients) }
unless { principal == resource.originator };

@id("onward tlp-amber+strict")
@reason("TLP:AMBER+STRICT that names no recipients is not passed on.")
forbid (principal, action == Action::"release-onward", resource)
when { resource.tlp == 4 && resource.recipients.isEmpty() };

@id("onward rule")
@reason("The onward rule (the report's own, else that of the agreement the holder received it under) is none.")
forbid (principal, action == Action::"release-onward", resource)
when { (if resource.onward != "" then resource.onward else context.received_onward) == "none" };

@id("onward consent")
@reason("SIENA H2, US ORCON or the onward rule consent: passing the report on needs the originator's consent.")
forbid (principal, action == Action::"release-onward", resource)
when {
  resource.handling.containsAny(["siena:H2", "us:ORCON"]) ||
  (if resource.onward != "" then resource.onward else context.received_onward) == "consent"
}
unless { context.consent };

@id("onward reach")
@reason("An onward release reaches the reader from the originator too: the originator's directives judge that pair.")
permit (principal, action == Action::"reach", resource);
`

// writeAgreement writes the permit of one agreement.
func (p *Policy) writeAgreement(b *strings.Builder, a *agreement) {
	fmt.Fprintf(b, "// %s: %s → %s, onward rule %s", a.policy, a.Provider.Describe(), a.Recipient.Describe(), a.Onward)
	if a.LegalBasis != "" {
		fmt.Fprintf(b, ", legal basis %s", oneLine(a.LegalBasis))
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "@id(%s)\n@reason(%s)\n", quote(a.policy), quote(a.allow.Text))
	fmt.Fprintf(b, "permit (%s, action in [Action::\"release\", Action::\"release-onward\"], resource)\nwhen {\n", principalScope(a.Recipient))
	// Cheap tests first: Cedar evaluates && from the left.
	var conds []string
	if a.Recipient.Kind() == "" {
		conds = append(conds, "false")
	}
	conds = append(conds, timeAtLeast(a.ValidFrom))
	if a.ValidUntil != nil {
		conds = append(conds, timeBefore(*a.ValidUntil))
	}
	conds = append(conds, fmt.Sprintf("resource.tlp <= %d", int(a.MaxTLP)))
	if len(a.AcceptedHandling) == 0 {
		conds = append(conds, "resource.handling.isEmpty()")
	} else {
		hs := make([]string, len(a.AcceptedHandling))
		for i, h := range a.AcceptedHandling {
			hs[i] = quote(h)
		}
		conds = append(conds, "["+strings.Join(hs, ", ")+"].containsAll(resource.handling)")
	}
	conds = append(conds, scopeCond("context.source", a.Provider))
	conds = append(conds, "context.purpose in "+purposeList(a.AllowedPurposes))
	if len(a.ProhibitedPurposes) > 0 {
		conds = append(conds, "!(context.purpose in "+purposeList(a.ProhibitedPurposes)+")")
	}
	if a.agencyOnly == "" {
		conds = append(conds, "(resource.tlp < 4 || principal in resource.recipients)")
	}
	b.WriteString("  " + strings.Join(conds, " &&\n  ") + "\n};\n")
}

// writeSuspension writes the forbid of the suspension p.dirs[i], with the
// later reinstatements of equal or higher rank that lift it.
func (p *Policy) writeSuspension(b *strings.Builder, i int) {
	s := &p.dirs[i]
	fmt.Fprintf(b, "// %s: %s suspends %s → %s for %s from %s (rank %d)",
		s.policy, s.IssuerTitle(), s.From.Describe(), s.To.Describe(), s.Purposes, directiveWhen(s.Directive), s.IssuerRank)
	if s.LegalReference != "" {
		fmt.Fprintf(b, ", legal reference %s", oneLine(s.LegalReference))
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "@id(%s)\n@reason(%s)\n", quote(s.policy), quote(s.deny.Text))
	fmt.Fprintf(b, "forbid (%s, action, resource)\nwhen {\n", principalScope(s.To))
	var conds []string
	if s.To.Kind() == "" {
		conds = append(conds, "false")
	}
	conds = append(conds, timeAtLeast(s.EffectiveAt), scopeCond("context.source", s.From))
	if c := purposeSetCond(s.Purposes); c != "" {
		conds = append(conds, c)
	}
	b.WriteString("  " + strings.Join(conds, " &&\n  ") + "\n}\nunless { principal == resource.originator }")
	var lifters []string
	for j := range p.dirs {
		r := &p.dirs[j]
		if !lifts(s, r) {
			continue
		}
		rc := []string{timeAtLeast(r.EffectiveAt), scopeCond("context.source", r.From), scopeCond("principal", r.To)}
		if c := purposeSetCond(r.Purposes); c != "" {
			rc = append(rc, c)
		}
		lifters = append(lifters, fmt.Sprintf("  // lifted by %s: %s reinstates %s → %s for %s from %s\n  (%s)",
			r.policy, r.IssuerTitle(), r.From.Describe(), r.To.Describe(), r.Purposes, directiveWhen(r.Directive), strings.Join(rc, " && ")))
	}
	if len(lifters) > 0 {
		b.WriteString("\nunless {\n" + strings.Join(lifters, " ||\n") + "\n}")
	}
	b.WriteString(";\n")
}

func quote(s string) string { return string(types.String(s).MarshalCedar()) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func purposeUID(pu enlace.Purpose) types.EntityUID {
	return types.NewEntityUID(typePurpose, types.String(pu))
}

func agencyUID(id string) types.EntityUID { return types.NewEntityUID(typeAgency, types.String(id)) }

func scopeUID(s enlace.Scope) string {
	switch s.Kind() {
	case enlace.ScopeNation:
		return string(types.NewEntityUID(typeNation, types.String(s.Nation)).MarshalCedar())
	case enlace.ScopeAgency:
		return string(agencyUID(s.Agency).MarshalCedar())
	case enlace.ScopeTaskForce:
		return string(types.NewEntityUID(typeTaskForce, types.String(s.TaskForce)).MarshalCedar())
	}
	return ""
}

// principalScope writes the principal of a policy head for scope s.
func principalScope(s enlace.Scope) string {
	switch s.Kind() {
	case enlace.ScopeAgency:
		return "principal == " + scopeUID(s)
	case enlace.ScopeNation, enlace.ScopeTaskForce:
		return "principal in " + scopeUID(s)
	}
	return "principal"
}

// scopeCond writes "expr is covered by s".
func scopeCond(expr string, s enlace.Scope) string {
	switch s.Kind() {
	case enlace.ScopeAgency:
		return expr + " == " + scopeUID(s)
	case enlace.ScopeNation, enlace.ScopeTaskForce:
		return expr + " in " + scopeUID(s)
	}
	return "false"
}

func purposeList(ps []enlace.Purpose) string {
	s := make([]string, len(ps))
	for i, pu := range ps {
		s[i] = string(purposeUID(pu).MarshalCedar())
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// purposeSetCond writes the condition of a directive's purposes; "" for
// all purposes.
func purposeSetCond(s enlace.PurposeSet) string {
	switch s.Mode {
	case enlace.PurposesAll:
		return ""
	case enlace.PurposesOnly:
		return "context.purpose in " + purposeList(s.Purposes)
	case enlace.PurposesExcept:
		return "!(context.purpose in " + purposeList(s.Purposes) + ")"
	}
	return "false"
}

// Cedar datetimes count milliseconds; context.now_ns carries the
// nanoseconds within the millisecond so that boundaries compare exactly.
// Boundaries on whole milliseconds (the stores keep microseconds at most,
// and most times are whole minutes) read as one comparison.

func datetimeLit(t time.Time) string { return string(types.NewDatetime(t).MarshalCedar()) }

func subMilli(t time.Time) int64 { return int64(t.Nanosecond() % 1e6) }

func timeAtLeast(t time.Time) string {
	if r := subMilli(t); r != 0 {
		d := datetimeLit(t)
		return fmt.Sprintf("(context.now > %s || (context.now == %s && context.now_ns >= %d))", d, d, r)
	}
	return "context.now >= " + datetimeLit(t)
}

func timeBefore(t time.Time) string {
	if r := subMilli(t); r != 0 {
		d := datetimeLit(t)
		return fmt.Sprintf("(context.now < %s || (context.now == %s && context.now_ns < %d))", d, d, r)
	}
	return "context.now < " + datetimeLit(t)
}
