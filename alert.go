package enlace

import (
	"context"
	"encoding/json"
	"time"
)

// Alert kinds.
const (
	AlertScreeningHit = "screening-hit" // an entity in intelligence matched a sanctions list
	AlertViolation    = "violation"     // an outcome contradicts the originator's agreement
	AlertRefusedUse   = "refused-use"   // a recipient declared a use the policy refused
)

// Alert tells an agency, and its nation's authority, something it must
// look at. Alerts are appended, never edited.
type Alert struct {
	ID       int64           `json:"id"`
	Kind     string          `json:"kind"`
	Agency   string          `json:"agency"` // the agency alerted
	Nation   string          `json:"nation"` // its nation, whose authority sees it too
	ReportID string          `json:"report,omitempty"`
	Subject  string          `json:"subject,omitempty"` // the object, use or outcome it is about
	Text     string          `json:"text"`
	Detail   json.RawMessage `json:"detail,omitempty"`
	At       time.Time       `json:"at"`
}

// AlertFilter selects alerts. Zero fields select everything.
type AlertFilter struct {
	Agency   string
	Nation   string
	Kind     string
	ReportID string
	AfterID  int64
	Limit    int
}

// ScreeningHit is a sanctions-list entry that an entity named in a
// report's STIX objects matched, with the list version it matched in.
type ScreeningHit struct {
	ReportID    string          `json:"report"`
	ObjectID    string          `json:"object"`
	Entity      string          `json:"entity"`      // the name screened
	EntityType  string          `json:"entity_type"` // person, organization, vessel, aircraft
	List        string          `json:"list"`
	ListVersion string          `json:"list_version"`
	EntryID     string          `json:"entry_id"`
	EntryName   string          `json:"entry_name"`
	MatchedName string          `json:"matched_name"`
	Score       float64         `json:"score"`
	Explanation json.RawMessage `json:"explanation"`
	FoundAt     time.Time       `json:"found_at"`
}

// AlertStore holds alerts and screening hits.
type AlertStore interface {
	// CreateAlerts appends alerts and their ledger entries (EntryAlert)
	// and assigns their IDs, in one transaction.
	CreateAlerts(ctx context.Context, alerts []Alert) ([]Alert, error)
	// Alerts returns alerts matching f in id order.
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)

	// SaveScreeningHits stores the hits not stored before (one per object,
	// list and entry) and returns those, so a re-screening raises an
	// alert only for what is new. ENotFound if a report does not exist.
	SaveScreeningHits(ctx context.Context, hits []ScreeningHit) ([]ScreeningHit, error)
	// ScreeningHits returns the hits on the given reports, by report and
	// score.
	ScreeningHits(ctx context.Context, reportIDs []string) ([]ScreeningHit, error)
}
