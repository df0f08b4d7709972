// Package policy decides whether an agency may have a report for a purpose
// at a time: the sovereign rules of the exchange (agreements, markings,
// directives and consents) as a pure engine.
//
// The engine does no I/O and keeps no clock: everything it needs comes in
// the World it is built from and in each Request. The same rules exist
// twice, on purpose: as a Cedar policy set that a person can read (Text)
// and that cedar-go evaluates (DecideCedar), and as a compiled form that
// answers the same question at over a million decisions a second (Decide).
// Tests hold the two, and a plain reference model, to the same answers.
//
// A Policy is immutable once built; callers build a new one when the world
// changes and swap the pointer atomically.
package policy

import (
	"fmt"
	"slices"
	"sort"
	"sync/atomic"
	"time"

	cedar "github.com/cedar-policy/cedar-go"

	"github.com/enlace-exchange/enlace"
)

// World is everything a policy is built from.
type World struct {
	Vocabulary *enlace.Vocabulary
	Agencies   []enlace.Agency
	TaskForces []enlace.TaskForce
	Agreements []enlace.Agreement // latest version of each agreement
	Directives []enlace.Directive // all, any order
}

// Subject is the report a request is about: its id, originator agency and
// markings.
type Subject struct {
	ID, Originator string
	Markings       enlace.Markings
}

// Request asks whether Reader may have Report for Purpose at At.
type Request struct {
	Report  Subject
	Reader  string         // agency id of the reader or recipient
	Purpose enlace.Purpose // what the reader will use it for
	At      time.Time      // the time of the decision; the engine has no clock
	// Holder is "" for a release by the originator (or the originator's own
	// copy); otherwise the agency that holds the report and releases it
	// onward. A holder equal to the originator or to the reader is read as a
	// direct release.
	Holder   string
	Consents []enlace.Consent // consents recorded for this report, any status
}

// Policy is the compiled policy of one World. It is safe for concurrent
// use. The Reasons slices of the decisions it returns may be shared
// between decisions: callers must not modify them.
type Policy struct {
	vocab *enlace.Vocabulary

	agencyIdx map[string]int32
	parties   []enlace.Party

	purposeIdx map[enlace.Purpose]int32
	purposes   []enlace.Purpose
	ancestry   [][]enlace.Purpose // per purpose: itself, then its ancestors
	lawEnf     []bool             // per purpose: covered by law-enforcement
	prosec     []bool             // per purpose: covered by prosecution

	agrs []agreement // in decision order (see idLess)
	dirs []directive // in effect order (Directive.Before)

	// edges caches the compiled answer per (source agency, reader agency,
	// purpose), filled on first use.
	edges []atomic.Pointer[edge]

	own [][]enlace.Reason // per agency: the "own report" reasons

	cedar     *cedar.PolicySet
	cedarMeta map[cedar.PolicyID]cedarPolicy
	statics   cedar.EntityMap
	text      string
}

// New builds the policy of w: the Cedar policy set and the compiled form.
// It returns an EInvalid error when w cannot be compiled (no vocabulary, an
// agency or task force defined twice, two agreements or directives with the
// same id).
func New(w World) (*Policy, error) {
	if w.Vocabulary == nil {
		return nil, enlace.Errorf(enlace.EInvalid, "policy: a vocabulary is required")
	}
	p := &Policy{
		vocab:      w.Vocabulary,
		agencyIdx:  make(map[string]int32, len(w.Agencies)),
		purposeIdx: map[enlace.Purpose]int32{},
	}
	members := map[string][]string{}
	seenTF := map[string]bool{}
	for _, tf := range w.TaskForces {
		if seenTF[tf.ID] {
			return nil, enlace.Errorf(enlace.EInvalid, "policy: task force %q defined twice", tf.ID)
		}
		seenTF[tf.ID] = true
		for _, m := range tf.Members {
			if !slices.Contains(members[m], tf.ID) {
				members[m] = append(members[m], tf.ID)
			}
		}
	}
	for _, a := range w.Agencies {
		if _, dup := p.agencyIdx[a.ID]; dup {
			return nil, enlace.Errorf(enlace.EInvalid, "policy: agency %q defined twice", a.ID)
		}
		tfs := slices.Clone(members[a.ID])
		sort.Strings(tfs)
		p.agencyIdx[a.ID] = int32(len(p.parties))
		p.parties = append(p.parties, enlace.Party{Agency: a.ID, Nation: a.Nation, TaskForces: tfs})
		p.own = append(p.own, []enlace.Reason{{Policy: polOwn, Text: "own report of " + a.ID}})
	}
	for _, pu := range w.Vocabulary.Purposes() {
		p.purposeIdx[pu] = int32(len(p.purposes))
		p.purposes = append(p.purposes, pu)
		p.ancestry = append(p.ancestry, w.Vocabulary.Ancestry(pu))
		p.lawEnf = append(p.lawEnf, w.Vocabulary.Covers(enlace.PurposeLawEnforcement, pu))
		p.prosec = append(p.prosec, w.Vocabulary.Covers(enlace.PurposeProsecution, pu))
	}
	if err := p.compileAgreements(w.Agreements); err != nil {
		return nil, err
	}
	if err := p.compileDirectives(w.Directives); err != nil {
		return nil, err
	}
	n := len(p.parties)
	p.edges = make([]atomic.Pointer[edge], n*n*len(p.purposes))
	if err := p.buildCedar(w); err != nil {
		return nil, err
	}
	return p, nil
}

// Party returns the agency with its nation and task forces, and whether
// the agency is known.
func (p *Policy) Party(agency string) (enlace.Party, bool) {
	i, ok := p.agencyIdx[agency]
	if !ok {
		return enlace.Party{}, false
	}
	pa := p.parties[i]
	pa.TaskForces = slices.Clone(pa.TaskForces)
	return pa, true
}

// Text returns the full Cedar policy set, with an @id and a @reason on
// every policy, as `enlace policy show` prints it.
func (p *Policy) Text() string { return p.text }

// resolved is a request with its names looked up.
type resolved struct {
	o, r, h int32 // agency indexes; h is -1 for a direct release
	pu      int32
	deny    *enlace.Decision // set when the request cannot be decided further
}

// resolve looks up the parties and purpose of r. Unknown names deny.
func (p *Policy) resolve(r *Request) resolved {
	o, ok := p.agencyIdx[r.Report.Originator]
	if !ok {
		return resolved{deny: denyRequest(fmt.Sprintf("unknown originator agency %q", r.Report.Originator))}
	}
	rd, ok := p.agencyIdx[r.Reader]
	if !ok {
		return resolved{deny: denyRequest(fmt.Sprintf("unknown reader agency %q", r.Reader))}
	}
	pu, ok := p.purposeIdx[r.Purpose]
	if !ok {
		return resolved{deny: denyRequest(fmt.Sprintf("unknown purpose %q", r.Purpose))}
	}
	h := int32(-1)
	if o != rd && r.Holder != "" && r.Holder != r.Report.Originator && r.Holder != r.Reader {
		h, ok = p.agencyIdx[r.Holder]
		if !ok {
			return resolved{deny: denyRequest(fmt.Sprintf("unknown holder agency %q", r.Holder))}
		}
	}
	return resolved{o: o, r: rd, h: h, pu: pu}
}

func denyRequest(text string) *enlace.Decision {
	return &enlace.Decision{Reasons: []enlace.Reason{{Policy: polRequest, Text: text}}}
}

// consentFor returns the granted consent with the smallest id that lets
// agency use the report for pu at t, or nil.
func (p *Policy) consentFor(cs []enlace.Consent, agency string, pu enlace.Purpose, t time.Time) *enlace.Consent {
	var best *enlace.Consent
	for i := range cs {
		c := &cs[i]
		if c.Recipient != agency || !c.Permits(p.vocab, pu, t) {
			continue
		}
		if best == nil || c.ID < best.ID {
			best = c
		}
	}
	return best
}
