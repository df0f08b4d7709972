package taxii

import (
	"context"
	"encoding/json"
	"time"

	"github.com/enlace-exchange/enlace"
)

// Root is an API root. enlace serves one per declared purpose: a reader
// declares its purpose by the API root it uses (/taxii2/seizure/,
// /taxii2/interdiction/ ...). Name is the path segment.
type Root struct{ Name, Title, Description string }

// Collection is a TAXII collection as the caller sees it: CanRead and
// CanWrite are the caller's rights in it, not the collection's in general.
type Collection struct {
	ID, Title, Description, Alias string
	CanRead, CanWrite             bool
}

// VersionKind says which versions of an object a Version selects.
type VersionKind int

// The version selectors of match[version]. VersionLast is the zero value, so
// the zero Version is the TAXII default.
const (
	VersionLast  VersionKind = iota // the latest version of each object
	VersionFirst                    // the earliest version of each object
	VersionAll                      // every version
	VersionAt                       // the version whose Version equals At
)

// Version is one value of match[version]: a keyword, or a timestamp (Kind
// VersionAt) compared with Object.Version.
type Version struct {
	Kind VersionKind
	At   time.Time
}

// Filter is a parsed objects query. Lists are ORed, fields ANDed.
type Filter struct {
	AddedAfter   time.Time // zero: none; exclusive
	IDs, Types   []string
	Versions     []Version // empty: [{Kind: VersionLast}]
	SpecVersions []string  // empty: the latest spec version of each object
}

// Cursor is a position in date-added order (ties broken by Seq). The zero
// Cursor is before every object.
type Cursor struct {
	DateAdded time.Time
	Seq       int64
}

// Object is one version of a STIX object in a collection.
type Object struct {
	ID, Type, SpecVersion string
	Version               time.Time // modified, else created, else date added
	DateAdded             time.Time
	Seq                   int64
	Raw                   json.RawMessage // the STIX object, a JSON object
}

// Page is one page of Backend.Objects.
type Page struct {
	Objects []Object // ascending (DateAdded, Seq), all readable by the caller
	More    bool     // another readable object matches after the last one
}

// StatusDetail names one object of an add request and, for failures, why.
type StatusDetail struct {
	ID      string
	Version time.Time
	Message string
}

// Status is the outcome of an add request, the TAXII status resource.
type Status struct {
	ID               string
	Status           string // "complete" | "pending"
	RequestTimestamp time.Time

	Total, Success, Failure, Pending int
	Successes, Failures, Pendings    []StatusDetail
}

// Backend decides and stores; the Server only parses, authenticates and
// renders. enlace's exchange implements it. Every method is called with the
// authenticated user and must apply that user's rights for the root's
// purpose on every call: the Server keeps no state between pages. An object
// the user may not read is absent (ENotFound, or skipped in lists), exactly
// like one that does not exist.
type Backend interface {
	// Roots returns the API roots u may use. It returns EInternal only.
	Roots(ctx context.Context, u enlace.User) ([]Root, error)

	// Collections returns the collections of root that u may see.
	// ENotFound: unknown root.
	Collections(ctx context.Context, u enlace.User, root string) ([]Collection, error)

	// Collection returns one collection. ENotFound: unknown root or
	// collection, or one u may not see.
	Collection(ctx context.Context, u enlace.User, root, id string) (Collection, error)

	// Objects returns up to limit objects after the cursor that match f and
	// that u may read for the root's purpose. EForbidden if the collection
	// is not readable; ENotFound for an unknown root or collection.
	Objects(ctx context.Context, u enlace.User, root, coll string, f Filter, after Cursor, limit int) (Page, error)

	// AddObjects validates and stores the envelope's objects; invalid ones
	// are failures in the status with a reason, valid ones are kept.
	// EForbidden if not writable; ENotFound for an unknown root or
	// collection.
	AddObjects(ctx context.Context, u enlace.User, root, coll string, objects []json.RawMessage) (Status, error)

	// Status returns the status of an earlier add request. ENotFound:
	// unknown, or not u's to see.
	Status(ctx context.Context, u enlace.User, root, id string) (Status, error)

	// DeleteObject deletes the versions of object id selected by f (IDs,
	// Types and AddedAfter ignored). f.Versions is never empty: without
	// match[version] the Server asks for every version. ENotFound if none
	// is visible to u; EForbidden if the collection is not writable.
	DeleteObject(ctx context.Context, u enlace.User, root, coll, id string, f Filter) error
}
