package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Policy names, as Reason.Policy carries them and as the Cedar policy set
// names its policies (@id). Agreements and directives are named
// "agreement AG-1 v2" and "directive D-3"; consents "consent #7".
const (
	polOwn           = "own report"
	polRequest       = "request"
	polProhibited    = "marking prohibited-purposes"
	polAllowedOnly   = "marking allowed-purposes"
	polH0            = "handling siena:H0"
	polH1            = "handling siena:H1"
	polNoJudicial    = "marking no-judicial-use"
	polRed           = "marking tlp-red"
	polAmberStrict   = "marking tlp-amber+strict"
	polOnwardAmber   = "onward tlp-amber+strict"
	polOnwardRule    = "onward rule"
	polOnwardConsent = "onward consent"
	polNoAgreement   = "no agreement"
	polReach         = "onward reach" // Cedar only: lets the originator's directives judge an onward release
)

// directiveTimeLayout is how reasons write a directive's effective time.
const directiveTimeLayout = "2006-01-02T15:04Z"

func agreementPolicyID(a enlace.Agreement) string {
	return fmt.Sprintf("agreement %s v%d", a.ID, a.Version)
}

// agreementLabel names an agreement for a person: "agreement AG-1 v2
// (CO→US: Counter-narcotics)".
func agreementLabel(a enlace.Agreement) string {
	s := agreementPolicyID(a) + " (" + a.Provider.ID() + "→" + a.Recipient.ID()
	if a.Title != "" {
		s += ": " + a.Title
	}
	return s + ")"
}

func directiveName(d enlace.Directive) string {
	if d.ID != "" {
		return d.ID
	}
	return enlace.DirectiveID(d.Seq)
}

func directivePolicyID(d enlace.Directive) string { return "directive " + directiveName(d) }

func directiveWhen(d enlace.Directive) string {
	return d.EffectiveAt.UTC().Format(directiveTimeLayout)
}

func directiveDenyText(d enlace.Directive) string {
	return fmt.Sprintf("denied by directive %s, issued by %s at %s: %s", directiveName(d), d.IssuerTitle(), directiveWhen(d), d.Reason)
}

func directiveLiftText(d enlace.Directive) string {
	return fmt.Sprintf("suspension lifted by directive %s, issued by %s at %s: %s", directiveName(d), d.IssuerTitle(), directiveWhen(d), d.Reason)
}

func consentReason(c *enlace.Consent) enlace.Reason {
	return enlace.Reason{
		Policy: fmt.Sprintf("consent #%d", c.ID),
		Text:   fmt.Sprintf("consent #%d granted by %s", c.ID, c.Originator),
	}
}

func partyName(pa enlace.Party) string { return pa.Nation + "/" + pa.Agency }

func prohibitedReason(pu enlace.Purpose) enlace.Reason {
	return enlace.Reason{Policy: polProhibited, Text: fmt.Sprintf("the report's use restriction prohibits %s", pu)}
}

func allowedOnlyReason(allowed []enlace.Purpose, pu enlace.Purpose) enlace.Reason {
	return enlace.Reason{Policy: polAllowedOnly, Text: fmt.Sprintf("the report's use restriction allows only %s, not %s", joinPurposes(allowed), pu)}
}

func h0Reason(pu enlace.Purpose) enlace.Reason {
	return enlace.Reason{Policy: polH0, Text: fmt.Sprintf("SIENA H0: the report may serve only to prevent and combat crime (law-enforcement), not %s", pu)}
}

func h1Reason(reader, originator string) enlace.Reason {
	return enlace.Reason{Policy: polH1, Text: fmt.Sprintf("SIENA H1: %s may not use the report in judicial proceedings without the consent of %s", reader, originator)}
}

func noJudicialReason(reader, originator string) enlace.Reason {
	return enlace.Reason{Policy: polNoJudicial, Text: fmt.Sprintf("the report's use restriction bars judicial use by %s without the consent of %s", reader, originator)}
}

func redReason(reader string) enlace.Reason {
	return enlace.Reason{Policy: polRed, Text: fmt.Sprintf("TLP:RED: %s is not among the report's named recipients", reader)}
}

func amberStrictReason(reader string) enlace.Reason {
	return enlace.Reason{Policy: polAmberStrict, Text: fmt.Sprintf("TLP:AMBER+STRICT: %s is not among the report's named recipients", reader)}
}

func onwardAmberReason(holder, reader string) enlace.Reason {
	return enlace.Reason{Policy: polOnwardAmber, Text: fmt.Sprintf("TLP:AMBER+STRICT with no named recipients: %s may not pass the report on to %s", holder, reader)}
}

// onwardRuleReason explains an onward rule of none; under is the
// agreement that let the holder have the report, or nil when the rule
// comes from the report's marking.
func onwardRuleReason(holder string, under *agreement) enlace.Reason {
	from := "the report's use restriction"
	if under != nil {
		from = under.policy
	}
	return enlace.Reason{Policy: polOnwardRule, Text: fmt.Sprintf("onward rule none (set by %s): %s may not pass the report on", from, holder)}
}

func onwardConsentReason(holder, reader, originator string, mask uint8, rule string) enlace.Reason {
	var why []string
	if mask&hH2 != 0 {
		why = append(why, "SIENA H2")
	}
	if mask&hORCON != 0 {
		why = append(why, "US ORCON")
	}
	if rule == enlace.OnwardConsent {
		why = append(why, "onward rule consent")
	}
	return enlace.Reason{Policy: polOnwardConsent, Text: fmt.Sprintf("passing the report on from %s to %s needs the consent of %s (%s)", holder, reader, originator, strings.Join(why, ", "))}
}

func joinPurposes(ps []enlace.Purpose) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// noAgreementReason explains that no agreement lets src give the report to
// rd, naming the closest miss when there is one: the first agreement whose
// scopes fit, and what it lacks.
func (p *Policy) noAgreementReason(src, rd enlace.Party, pu enlace.Purpose, t time.Time, m *enlace.Markings, onward bool) enlace.Reason {
	text := fmt.Sprintf("no agreement from %s to %s covers %s at TLP %s", partyName(src), rd.Agency, pu, m.TLP)
	mask := handlingMask(m.Handling)
	for i := range p.agrs {
		a := &p.agrs[i]
		if !a.Provider.Covers(src) || !a.Recipient.Covers(rd) {
			continue
		}
		var miss string
		switch {
		case !p.vocab.CoveredByAny(a.AllowedPurposes, pu):
			miss = fmt.Sprintf("allows only %s", joinPurposes(a.AllowedPurposes))
		case p.vocab.CoveredByAny(a.ProhibitedPurposes, pu):
			miss = fmt.Sprintf("prohibits %s", joinPurposes(a.ProhibitedPurposes))
		case t.Before(a.ValidFrom):
			miss = "takes effect at " + a.ValidFrom.UTC().Format(directiveTimeLayout)
		case a.ValidUntil != nil && !t.Before(*a.ValidUntil):
			miss = "ended at " + a.ValidUntil.UTC().Format(directiveTimeLayout)
		case m.TLP > a.MaxTLP:
			miss = "goes up to TLP " + a.MaxTLP.String()
		case !a.accepts(mask, m.Handling):
			miss = "does not accept every handling code of the report"
		case !onward && m.TLP == enlace.TLPAmberStrict && len(m.Recipients) == 0 && a.agencyOnly != rd.Agency:
			miss = "is not with agency " + rd.Agency + " alone, as TLP:AMBER+STRICT without named recipients needs"
		default:
			continue
		}
		text += fmt.Sprintf(" (closest: %s %s)", a.policy, miss)
		break
	}
	return enlace.Reason{Policy: polNoAgreement, Text: text}
}
