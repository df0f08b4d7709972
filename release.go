package enlace

import (
	"strings"
	"time"
)

// Reason is one policy that took part in a decision, with its words for a
// person: "denied by directive D-3, issued by the CO authority ...".
type Reason struct {
	Policy string `json:"policy"` // "directive D-3", "agreement AG-1 v2", "marking tlp-red"
	Text   string `json:"text"`
}

// Decision is the answer to "may this party have this report for this
// purpose, now?", with the policies that decided it.
type Decision struct {
	Allowed          bool     `json:"allowed"`
	Reasons          []Reason `json:"reasons"`
	AgreementID      string   `json:"agreement,omitempty"` // the agreement that allowed it
	AgreementVersion int      `json:"agreement_version,omitempty"`
}

// Explain joins the reasons in one sentence.
func (d Decision) Explain() string {
	parts := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		parts[i] = r.Text
	}
	return strings.Join(parts, "; ")
}

// Policies lists the ids of the deciding policies.
func (d Decision) Policies() []string {
	out := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		out[i] = r.Policy
	}
	return out
}

// Release records that a report was made available to a recipient agency
// for a purpose, under an agreement version, and by which decision.
type Release struct {
	ID               int64     `json:"id"`
	ReportID         string    `json:"report"`
	Originator       string    `json:"originator"`
	Releaser         string    `json:"releaser"` // the originator, or the holder for an onward release
	Recipient        string    `json:"recipient"`
	RecipientNation  string    `json:"recipient_nation"`
	Purpose          Purpose   `json:"purpose"`
	AgreementID      string    `json:"agreement"`
	AgreementVersion int       `json:"agreement_version"`
	Policies         []string  `json:"policies"`
	At               time.Time `json:"at"`
}

// ReleaseFilter selects releases. Zero fields select everything.
type ReleaseFilter struct {
	ReportID        string
	ReportIDs       []string // any of these reports
	Recipient       string
	RecipientNation string
	Originator      string
	After           time.Time
	Limit           int
}
