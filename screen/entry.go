package screen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// EntityType is the kind of subject a list entry or a query names.
type EntityType string

// The entity types. Unknown matches every type in a query.
const (
	Unknown      EntityType = ""
	Person       EntityType = "person"
	Organization EntityType = "organization"
	Vessel       EntityType = "vessel"
	Aircraft     EntityType = "aircraft"
)

// ParseEntityType maps the common spellings of an entity type ("individual",
// "entity", "company", ...) to an EntityType; it reports false for others.
func ParseEntityType(s string) (EntityType, bool) {
	switch Fold(s) {
	case "":
		return Unknown, true
	case "person", "individual", "people":
		return Person, true
	case "organization", "organisation", "entity", "company", "legalentity", "legal entity", "org", "business":
		return Organization, true
	case "vessel", "ship":
		return Vessel, true
	case "aircraft", "airplane", "plane":
		return Aircraft, true
	}
	return Unknown, false
}

// NameKind says how a name belongs to an entry.
type NameKind string

// The name kinds. A weak alias (OFAC's "weak aka", UN quality "Low") counts
// less in scoring.
const (
	PrimaryName    NameKind = "primary"
	AKA            NameKind = "aka"
	FKA            NameKind = "fka"
	NKA            NameKind = "nka"
	WeakAKA        NameKind = "weak-aka"
	OriginalScript NameKind = "original-script"
)

// Name is one name of an entry.
type Name struct {
	Value string   `json:"value"`
	Kind  NameKind `json:"kind"`
}

// Entry is one designated subject on a list.
type Entry struct {
	// List names the list, e.g. "us-ofac-sdn", "us-ofac-cons", "un-sc".
	List string `json:"list"`
	// ID is the entry's identifier within its list (OFAC ent_num, UN DATAID).
	ID   string     `json:"id"`
	Type EntityType `json:"type"`
	// Names holds the primary name first, then the aliases.
	Names []Name `json:"names"`
	// BirthDates are ISO 8601 dates of any precision ("1971", "1971-01",
	// "1971-01-21") or year ranges ("1962/1964").
	BirthDates []string `json:"birth_dates,omitempty"`
	// Nationalities are country names or ISO 3166 codes as the list gives them.
	Nationalities []string `json:"nationalities,omitempty"`
	IMO           string   `json:"imo,omitempty"`
	MMSI          string   `json:"mmsi,omitempty"`
	CallSign      string   `json:"call_sign,omitempty"`
	Programs      []string `json:"programs,omitempty"`
	Remarks       string   `json:"remarks,omitempty"`
}

// PrimaryName returns the entry's first name, or "" if it has none.
func (e Entry) PrimaryName() string {
	if len(e.Names) == 0 {
		return ""
	}
	return e.Names[0].Value
}

// fingerprint is a digest of the entry's content, used to detect changes
// between list versions.
func (e *Entry) fingerprint() string {
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// ListVersion describes one imported version of a list.
type ListVersion struct {
	List string `json:"list"`
	// Version counts imports of this list from 1.
	Version int `json:"version"`
	// Source says where the files came from (a URL or a path).
	Source string `json:"source"`
	// Date is the publication date the importer gave, if known.
	Date       time.Time `json:"date"`
	ImportedAt time.Time `json:"imported_at"`
	// Checksum is the hex SHA-256 over the input files, taken in name order
	// as name, NUL, content, NUL.
	Checksum string `json:"checksum"`
	Count    int    `json:"count"`
}

// String returns "list@vN".
func (v ListVersion) String() string { return fmt.Sprintf("%s@v%d", v.List, v.Version) }

// Diff lists the entry IDs that a new list version added, removed and
// changed relative to the previous one.
type Diff struct {
	From    int      `json:"from"`
	To      int      `json:"to"`
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
	Changed []string `json:"changed"`
}

// Empty reports whether the diff records no change.
func (d Diff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// DiffEntries compares two versions of one list by entry ID. IDs come back
// sorted.
func DiffEntries(prev, next []Entry) Diff {
	old := make(map[string]string, len(prev))
	for i := range prev {
		old[prev[i].ID] = prev[i].fingerprint()
	}
	var d Diff
	seen := make(map[string]bool, len(next))
	for i := range next {
		id := next[i].ID
		seen[id] = true
		fp, ok := old[id]
		switch {
		case !ok:
			d.Added = append(d.Added, id)
		case fp != next[i].fingerprint():
			d.Changed = append(d.Changed, id)
		}
	}
	for id := range old {
		if !seen[id] {
			d.Removed = append(d.Removed, id)
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Removed)
	slices.Sort(d.Changed)
	return d
}
