package enlace

import (
	"context"
	"slices"
	"time"
)

// Use statuses.
const (
	UseAccepted = "accepted" // the policy allowed every report for the purpose
	UseRefused  = "refused"  // the policy refused at least one report it had released before
)

// Use is a recipient's declaration, before acting, of what it is about to
// use intelligence for: an operation, a purpose from the vocabulary, and
// the reports it draws on. The exchange decides each report like a read
// for that purpose. Refused declarations are kept too, with the reasons:
// an attempt to use intelligence for a purpose its originator forbade is
// what the originator most needs to be able to prove.
type Use struct {
	ID         int64       `json:"id"`
	Agency     string      `json:"agency"` // the declaring agency
	Nation     string      `json:"nation"`
	DeclaredBy string      `json:"declared_by"`
	Operation  string      `json:"operation"`
	Purpose    Purpose     `json:"purpose"`
	Reports    []UseReport `json:"reports"`
	Status     string      `json:"status"` // UseAccepted or UseRefused
	Reasons    []Reason    `json:"reasons,omitempty"`
	PlannedAt  time.Time   `json:"planned_at"`
	Synthetic  bool        `json:"synthetic,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
}

// UseReport is one report a use draws on, with the originator and the
// agreement version under which the policy allowed it ("" and 0 when no
// agreement was needed: the declarer's own report, or a refusal).
type UseReport struct {
	ReportID         string `json:"report"`
	Originator       string `json:"originator"`
	Nation           string `json:"nation"`
	AgreementID      string `json:"agreement,omitempty"`
	AgreementVersion int    `json:"agreement_version,omitempty"`
}

// maxUseReports bounds one declaration.
const maxUseReports = 1000

// Validate reports whether u is well formed against v.
func (u Use) Validate(v *Vocabulary) error {
	if u.Agency == "" {
		return Errorf(EInvalid, "a use needs a declaring agency")
	}
	if u.Operation == "" || len(u.Operation) > 200 {
		return Errorf(EInvalid, "operation must name the operation (at most 200 characters)")
	}
	if !v.Known(u.Purpose) {
		return Errorf(EInvalid, "unknown purpose %q (known: %v)", u.Purpose, v.Purposes())
	}
	if len(u.Reports) == 0 || len(u.Reports) > maxUseReports {
		return Errorf(EInvalid, "a use names between 1 and %d reports", maxUseReports)
	}
	seen := map[string]bool{}
	for _, r := range u.Reports {
		if !ValidSTIXID(r.ReportID) || STIXType(r.ReportID) != "report" {
			return Errorf(EInvalid, "reports: %q is not a report id", r.ReportID)
		}
		if seen[r.ReportID] {
			return Errorf(EInvalid, "reports: %s is named twice", r.ReportID)
		}
		seen[r.ReportID] = true
	}
	if u.Status != UseAccepted && u.Status != UseRefused {
		return Errorf(EInvalid, "use status must be accepted or refused")
	}
	if u.PlannedAt.IsZero() {
		return Errorf(EInvalid, "planned_at is required")
	}
	return nil
}

// Outcome kinds.
const (
	OutcomeSeizure      = "seizure"
	OutcomeArrest       = "arrest"
	OutcomeInterdiction = "interdiction"
	OutcomeProsecution  = "prosecution"
	OutcomeStrike       = "strike"
	OutcomeOther        = "other"
)

// OutcomeKinds lists the outcome kinds.
var OutcomeKinds = []string{OutcomeSeizure, OutcomeArrest, OutcomeInterdiction, OutcomeProsecution, OutcomeStrike, OutcomeOther}

// Outcome is what came of a use. Outcomes are never edited: a correction
// is a new version that names the one it corrects, and the current
// version of an outcome is the one nothing corrects.
type Outcome struct {
	ID              int64     `json:"id"`
	UseID           int64     `json:"use"`
	Corrects        int64     `json:"corrects,omitempty"` // the version this one corrects, 0 for none
	Agency          string    `json:"agency"`             // the use's agency
	Nation          string    `json:"nation"`
	Kind            string    `json:"kind"`
	Substance       string    `json:"substance,omitempty"`
	QuantityKg      float64   `json:"quantity_kg,omitempty"`
	PersonsDetained int       `json:"persons_detained,omitempty"`
	Casualties      int       `json:"casualties,omitempty"`
	Vessel          string    `json:"vessel,omitempty"`
	Location        string    `json:"location,omitempty"`
	OccurredAt      time.Time `json:"occurred_at"`
	ReportedBy      string    `json:"reported_by"`
	Synthetic       bool      `json:"synthetic,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
}

// Validate reports whether o is well formed.
func (o Outcome) Validate() error {
	if o.UseID <= 0 {
		return Errorf(EInvalid, "an outcome must name a use")
	}
	if !slices.Contains(OutcomeKinds, o.Kind) {
		return Errorf(EInvalid, "kind must be one of %v", OutcomeKinds)
	}
	if o.QuantityKg < 0 || o.PersonsDetained < 0 || o.Casualties < 0 {
		return Errorf(EInvalid, "quantity_kg, persons_detained and casualties cannot be negative")
	}
	if o.OccurredAt.IsZero() {
		return Errorf(EInvalid, "occurred_at is required")
	}
	return nil
}

// Lethal reports whether o is a strike or cost lives: the outcomes that
// intelligence shared only for law enforcement must never have fed.
func (o Outcome) Lethal() bool { return o.Kind == OutcomeStrike || o.Casualties > 0 }

// UseFilter selects uses. Zero fields select everything.
type UseFilter struct {
	// Party selects uses declared by any of these agencies or drawing on
	// a report any of them originated.
	Party    []string
	Agency   string // declared by this agency
	ReportID string // drawing directly on this report
	Status   string
	AfterID  int64
	Limit    int
}

// OutcomeFilter selects outcomes, every version. Zero fields select
// everything.
type OutcomeFilter struct {
	UseIDs  []int64
	Party   []string // of uses declared by, or drawing on reports of, these agencies
	AfterID int64
	Limit   int
}

// UseStore holds use declarations, outcomes and the figures computed
// from them. The store writes the ledger entry of each use, outcome and
// alert in the same transaction as the record.
type UseStore interface {
	// CreateUse stores u with its ledger entry, credits each report's
	// lineage (see LineageCredits) when u is accepted, and appends alerts
	// (their Subject set to "use/<id>") with their entries, all in one
	// transaction. ENotFound if the agency or a report does not exist.
	CreateUse(ctx context.Context, u Use, alerts []Alert) (Use, []Alert, error)
	// Use returns the use with id. ENotFound if none.
	Use(ctx context.Context, id int64) (Use, error)
	// Uses returns uses matching f in id order.
	Uses(ctx context.Context, f UseFilter) ([]Use, error)

	// CreateOutcome stores o with its ledger entry and appends alerts
	// (Subject "outcome/<id>") with theirs, in one transaction. ENotFound
	// if the use, or the outcome o corrects, does not exist; EInvalid if
	// the use was refused or o corrects an outcome of another use;
	// EConflict if the outcome it corrects was corrected already.
	CreateOutcome(ctx context.Context, o Outcome, alerts []Alert) (Outcome, []Alert, error)
	// Outcome returns the outcome version with id. ENotFound if none.
	Outcome(ctx context.Context, id int64) (Outcome, error)
	// Outcomes returns outcome versions matching f in id order.
	Outcomes(ctx context.Context, f OutcomeFilter) ([]Outcome, error)

	// UsedShares sums the lineage credits of accepted uses by q's
	// consumers planned in q's window, by origin nation and agency.
	UsedShares(ctx context.Context, q AccountingQuery) ([]ShareRow, error)
	// OutcomesByOriginator counts the current outcomes that occurred in
	// q's window by originator agency and kind (see OutcomeRow).
	OutcomesByOriginator(ctx context.Context, q AccountingQuery) ([]OutcomeRow, error)
	// ReportCredits returns the accepted uses whose lineage credits
	// report id, with the weight, by use id.
	ReportCredits(ctx context.Context, id string) ([]Credit, error)
}
