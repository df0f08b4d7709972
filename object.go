package enlace

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// StoredObject is one version of a STIX object as the exchange holds it,
// with the report that carried it in. Its policy is its report's.
type StoredObject struct {
	Seq         int64           `json:"-"` // order of arrival, unique
	ReportID    string          `json:"report"`
	Originator  string          `json:"originator"`
	Markings    Markings        `json:"markings"` // the report's
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	SpecVersion string          `json:"spec_version,omitempty"`
	Version     time.Time       `json:"version"`    // modified, else created, else date added
	DateAdded   time.Time       `json:"date_added"` // strictly increasing in commit order
	Raw         json.RawMessage `json:"raw"`
}

// Version selectors for ObjectFilter.Versions.
const (
	VersionLast  = "last"
	VersionFirst = "first"
	VersionAll   = "all"
	VersionAt    = "at" // the version whose Version equals At
)

// VersionMatch selects versions of each object.
type VersionMatch struct {
	Kind string // VersionLast, VersionFirst, VersionAll or VersionAt
	At   time.Time
}

// ObjectFilter selects stored objects. Values within a list are ORed,
// fields are ANDed; a zero field selects everything.
type ObjectFilter struct {
	Originator   string    // objects of this agency's reports
	AddedAfter   time.Time // strictly after; also the paging cursor
	IDs          []string
	Types        []string
	SpecVersions []string
	Versions     []VersionMatch // empty: the last version of each object
	Limit        int            // 0: the store's default
}

// TAXIIStatus is the outcome of one TAXII add-objects request.
type TAXIIStatus struct {
	ID               string         `json:"id"`
	UserID           int64          `json:"-"`
	Collection       string         `json:"-"`
	RequestTimestamp time.Time      `json:"request_timestamp"`
	Total            int            `json:"total_count"`
	Successes        []StatusDetail `json:"successes,omitempty"`
	Failures         []StatusDetail `json:"failures,omitempty"`
}

// StatusDetail is one object in a TAXII status.
type StatusDetail struct {
	ID      string    `json:"id"`
	Version time.Time `json:"version"`
	Message string    `json:"message,omitempty"`
}

// ObjectStore holds STIX objects for TAXII, the reports they arrived in
// and the status of each add request.
type ObjectStore interface {
	// Objects returns stored objects matching f in date-added order, at
	// most f.Limit of them. Withdrawn objects are never returned.
	Objects(ctx context.Context, f ObjectFilter) ([]StoredObject, error)
	// HasObjectVersions reports, for each of versions ("id" + "|" + the
	// version in unix microseconds), whether the store already holds it,
	// so an import can skip what it stored before.
	HasObjectVersions(ctx context.Context, versions []string) (map[string]bool, error)
	// WithdrawObjects withdraws the versions of object id in the reports
	// of originator selected by versions (empty: all), keeping their
	// digests for the ledger, and appends a withdrawal entry. It returns
	// how many versions it withdrew; ENotFound if none matched.
	WithdrawObjects(ctx context.Context, originator, id string, versions []VersionMatch, by string, at time.Time) (int, error)
	// CreateSubmission stores reports (as CreateReport does, each with its
	// submission entry) and the status of the request that brought them,
	// in one transaction: all or none. EConflict if the status id, a
	// report id or an object version exists.
	CreateSubmission(ctx context.Context, reports []Report, s TAXIIStatus) ([]Report, error)
	// Status returns the status with id. ENotFound if none.
	Status(ctx context.Context, id string) (TAXIIStatus, error)
}

// VersionKey names one version of an object for HasObjectVersions:
// "id|<version in unix microseconds>", or "id|0" for an object without
// versions (a cyber-observable), whose id alone identifies it.
func VersionKey(id string, version time.Time) string {
	if version.IsZero() {
		return id + "|0"
	}
	return id + "|" + strconv.FormatInt(version.UnixMicro(), 10)
}

// SearchQuery is a full-text search over report titles and descriptions
// and the names of STIX objects.
type SearchQuery struct {
	Text  string // words, all of which must match (as prefixes)
	Limit int    // 0: the store's default
}

// SearchHit is a report that matches, with what matched in it.
type SearchHit struct {
	ReportID   string   `json:"report"`
	Originator string   `json:"originator"`
	Markings   Markings `json:"-"` // for the policy, never shown
	Title      string   `json:"title"`
	ObjectID   string   `json:"object,omitempty"` // the object whose name matched, "" for the report itself
	Snippet    string   `json:"snippet"`          // the matching text, matches between [ and ]
	Rank       float64  `json:"rank"`             // lower is better
}

// Searcher finds reports by their words.
type Searcher interface {
	// Search returns the best matches for q, best first. A query with no
	// words returns nothing.
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, error)
}
