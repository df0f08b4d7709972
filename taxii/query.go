package taxii

import (
	"crypto/sha256"
	"encoding/binary"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/enlace-exchange/enlace"
)

// endpoint names what a request asks for. It decides which query parameters
// the request may carry, and next tokens are bound to it.
type endpoint string

// The endpoints. Those not listed take no query parameters.
const (
	epPlain    endpoint = "plain"    // discovery, API root, status, collections, collection, add objects
	epObjects  endpoint = "objects"  // GET …/objects/
	epManifest endpoint = "manifest" // GET …/manifest/
	epObject   endpoint = "object"   // GET …/objects/{id}/
	epVersions endpoint = "versions" // GET …/objects/{id}/versions/
	epDelete   endpoint = "delete"   // DELETE …/objects/{id}/
)

// The query parameters of TAXII 2.1.
const (
	pAddedAfter  = "added_after"
	pLimit       = "limit"
	pNext        = "next"
	pID          = "match[id]"
	pType        = "match[type]"
	pVersion     = "match[version]"
	pSpecVersion = "match[spec_version]"
)

// allowedParams is, per endpoint, the parameters the spec lists for it
// (TAXII 2.1 sections 5.3 to 5.8). Any other parameter is refused with 400:
// a filter the server silently ignored would return more than the client
// asked for and let it believe the result was filtered.
var allowedParams = map[endpoint][]string{
	epPlain:    nil,
	epObjects:  {pAddedAfter, pLimit, pNext, pID, pType, pVersion, pSpecVersion},
	epManifest: {pAddedAfter, pLimit, pNext, pID, pType, pVersion, pSpecVersion},
	epObject:   {pAddedAfter, pLimit, pNext, pVersion, pSpecVersion},
	epVersions: {pAddedAfter, pLimit, pNext, pSpecVersion},
	epDelete:   {pVersion, pSpecVersion},
}

// Bounds on what a query may carry, so a request cannot make the backend
// match against an unbounded list.
const (
	maxQueryLen  = 16 << 10
	maxListItems = 500
	maxItemLen   = 256
)

// query is a parsed request query.
type query struct {
	Filter Filter
	Limit  int    // 1..MaxLimit; 0 for endpoints that do not page
	Next   string // the next token, "" for the first page
}

// parseQuery parses rawQuery for endpoint ep. Every error is EInvalid with a
// message that names the parameter. limit defaults to defLimit and is capped
// at maxLimit (the spec lets a server return fewer objects than asked).
func parseQuery(rawQuery string, ep endpoint, defLimit, maxLimit int) (query, error) {
	var q query
	allowed, ok := allowedParams[ep]
	if !ok {
		return q, enlace.Errorf(enlace.EInternal, "unknown endpoint %q", ep)
	}
	if len(rawQuery) > maxQueryLen {
		return q, enlace.Errorf(enlace.EInvalid, "the query string exceeds %d bytes", maxQueryLen)
	}
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return q, enlace.Errorf(enlace.EInvalid, "malformed query string: %v", err)
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the same error for the same query
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			if len(allowed) == 0 {
				return q, enlace.Errorf(enlace.EInvalid, "query parameter %q is not supported: this endpoint takes no parameters", k)
			}
			return q, enlace.Errorf(enlace.EInvalid, "query parameter %q is not supported here (this endpoint takes %s)", k, strings.Join(allowed, ", "))
		}
		if len(values[k]) != 1 {
			return q, enlace.Errorf(enlace.EInvalid, "query parameter %s must occur once; list several values separated by commas", k)
		}
	}
	if slices.Contains(allowed, pLimit) {
		q.Limit = defLimit
	}
	for _, k := range keys {
		v := values[k][0]
		switch k {
		case pAddedAfter:
			t, err := parseTimestamp(v)
			if err != nil {
				return q, enlace.Errorf(enlace.EInvalid, "added_after must be a timestamp such as 2021-06-10T00:00:00.000Z, not %q", clip(v))
			}
			q.Filter.AddedAfter = t
		case pLimit:
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return q, enlace.Errorf(enlace.EInvalid, "limit must be a positive integer, not %q", clip(v))
			}
			q.Limit = min(n, maxLimit)
		case pNext:
			if v == "" {
				return q, enlace.Errorf(enlace.EInvalid, "next must not be empty")
			}
			q.Next = v
		case pID:
			if q.Filter.IDs, err = parseList(k, v); err != nil {
				return q, err
			}
		case pType:
			if q.Filter.Types, err = parseList(k, v); err != nil {
				return q, err
			}
		case pSpecVersion:
			if q.Filter.SpecVersions, err = parseList(k, v); err != nil {
				return q, err
			}
			for _, sv := range q.Filter.SpecVersions {
				if !validSpecVersion(sv) {
					return q, enlace.Errorf(enlace.EInvalid, "match[spec_version] values are versions such as 2.1, not %q", clip(sv))
				}
			}
		case pVersion:
			items, err := parseList(k, v)
			if err != nil {
				return q, err
			}
			for _, it := range items {
				ver, err := parseVersion(it)
				if err != nil {
					return q, err
				}
				q.Filter.Versions = append(q.Filter.Versions, ver)
			}
			slices.SortFunc(q.Filter.Versions, compareVersions)
			q.Filter.Versions = slices.Compact(q.Filter.Versions)
		}
	}
	return q, nil
}

// parseList splits a comma-separated list, refusing empty items, and
// returns it sorted and without duplicates: the items are ORed, so their
// order means nothing.
func parseList(name, v string) ([]string, error) {
	items := strings.Split(v, ",")
	if len(items) > maxListItems {
		return nil, enlace.Errorf(enlace.EInvalid, "%s lists more than %d values", name, maxListItems)
	}
	for _, it := range items {
		if it == "" {
			return nil, enlace.Errorf(enlace.EInvalid, "%s has an empty value: separate values with single commas and no spaces", name)
		}
		if len(it) > maxItemLen {
			return nil, enlace.Errorf(enlace.EInvalid, "%s has a value longer than %d bytes", name, maxItemLen)
		}
	}
	slices.Sort(items)
	return slices.Compact(items), nil
}

func parseVersion(s string) (Version, error) {
	switch s {
	case "last":
		return Version{Kind: VersionLast}, nil
	case "first":
		return Version{Kind: VersionFirst}, nil
	case "all":
		return Version{Kind: VersionAll}, nil
	}
	t, err := parseTimestamp(s)
	if err != nil {
		return Version{}, enlace.Errorf(enlace.EInvalid, "match[version] values are last, first, all or a timestamp, not %q", clip(s))
	}
	return Version{Kind: VersionAt, At: t}, nil
}

func compareVersions(a, b Version) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	return a.At.Compare(b.At)
}

// validSpecVersion reports whether s looks like a STIX spec version, n.m.
func validSpecVersion(s string) bool {
	major, minor, ok := strings.Cut(s, ".")
	return ok && digits(major) && digits(minor)
}

func digits(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseTimestamp reads an RFC 3339 timestamp, as TAXII and STIX write them
// (UTC, "Z", any fraction of a second). An offset is accepted and converted
// to UTC; a '+' that the query decoding turned into a space is restored.
func parseTimestamp(s string) (time.Time, error) {
	s = strings.ReplaceAll(s, " ", "+")
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// clip shortens a client's value for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// fingerprint identifies what a paged query asks for, independent of its
// spelling (lists are sorted and deduplicated by parseQuery) and of its next
// token. A next token is bound to it, so the pages of one walk all answer
// the same question.
func (q query) fingerprint() [sha256.Size]byte {
	h := sha256.New()
	var b [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(b[:], uint64(len(s)))
		h.Write(b[:])
		h.Write([]byte(s))
	}
	field("limit=" + strconv.Itoa(q.Limit))
	if !q.Filter.AddedAfter.IsZero() {
		field("added_after=" + q.Filter.AddedAfter.Format(time.RFC3339Nano))
	}
	list := func(name string, items []string) {
		field(name + "=" + strconv.Itoa(len(items)))
		for _, it := range items {
			field(it)
		}
	}
	list("ids", q.Filter.IDs)
	list("types", q.Filter.Types)
	list("spec_versions", q.Filter.SpecVersions)
	field("versions=" + strconv.Itoa(len(q.Filter.Versions)))
	for _, v := range q.Filter.Versions {
		field(strconv.Itoa(int(v.Kind)) + "@" + v.At.Format(time.RFC3339Nano))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}
