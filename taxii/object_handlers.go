package taxii

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/enlace-exchange/enlace"
)

// The headers that bracket a page by date added (TAXII 2.1 section 3.3.1).
const (
	HeaderDateAddedFirst = "X-TAXII-Date-Added-First"
	HeaderDateAddedLast  = "X-TAXII-Date-Added-Last"
)

// pageOf asks the backend for one page of the walk, resuming after q.Next,
// and returns it with the next token when more objects follow. Only the
// objects the backend returned feed the page, its headers and its token, so
// nothing in a response reveals an object the caller may not read.
func (s *Server) pageOf(r *http.Request, u enlace.User, ep endpoint, objectID string, q query, f Filter) (Page, string, error) {
	w := walk{user: u.ID, root: r.PathValue("root"), coll: r.PathValue("coll"), ep: ep, objectID: objectID, query: q.fingerprint()}
	var after Cursor
	if q.Next != "" {
		c, err := decodeNext(s.key, w, q.Next)
		if err != nil {
			return Page{}, "", err
		}
		after = c
	}
	p, err := s.backend.Objects(r.Context(), u, w.root, w.coll, f, after, q.Limit)
	if err != nil {
		return Page{}, "", err
	}
	if len(p.Objects) > q.Limit {
		p.Objects, p.More = p.Objects[:q.Limit], true
	}
	for i, o := range p.Objects {
		if i > 0 && !before(p.Objects[i-1], o) {
			return Page{}, "", enlace.Errorf(enlace.EInternal, "backend page out of date-added order at %d (%s)", i, o.ID)
		}
	}
	if len(p.Objects) == 0 {
		p.More = false // there is no cursor to resume from
	}
	next := ""
	if p.More {
		last := p.Objects[len(p.Objects)-1]
		next = encodeNext(s.key, w, Cursor{DateAdded: last.DateAdded, Seq: last.Seq})
	}
	return p, next, nil
}

// before reports whether a precedes b in (DateAdded, Seq) order.
func before(a, b Object) bool {
	if c := a.DateAdded.Compare(b.DateAdded); c != 0 {
		return c < 0
	}
	return a.Seq < b.Seq
}

// versionOf is o's version, falling back to its date added as TAXII does for
// objects without modified or created.
func versionOf(o Object) time.Time {
	if o.Version.IsZero() {
		return o.DateAdded
	}
	return o.Version
}

// setDateAdded writes the date-added headers of a non-empty page.
func setDateAdded(w http.ResponseWriter, objs []Object) {
	if len(objs) == 0 {
		return
	}
	w.Header().Set(HeaderDateAddedFirst, ts(objs[0].DateAdded))
	w.Header().Set(HeaderDateAddedLast, ts(objs[len(objs)-1].DateAdded))
}

func (s *Server) parse(r *http.Request, ep endpoint) (query, error) {
	return parseQuery(r.URL.RawQuery, ep, s.defLimit, s.maxLimit)
}

func (s *Server) getObjects(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q, err := s.parse(r, epObjects)
	if err != nil {
		return err
	}
	p, next, err := s.pageOf(r, u, epObjects, "", q, q.Filter)
	if err != nil {
		return err
	}
	return writeEnvelope(w, p, next)
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q, err := s.parse(r, epObject)
	if err != nil {
		return err
	}
	id := r.PathValue("obj")
	f := q.Filter
	f.IDs = []string{id}
	p, next, err := s.pageOf(r, u, epObject, id, q, f)
	if err != nil {
		return err
	}
	if len(p.Objects) == 0 && q.Next == "" {
		return enlace.Errorf(enlace.ENotFound, "no object %s in collection %s matches", id, r.PathValue("coll"))
	}
	return writeEnvelope(w, p, next)
}

// writeEnvelope renders a page as a TAXII envelope. The objects are copied
// as the backend stored them, without re-encoding: this is the hot path.
func writeEnvelope(w http.ResponseWriter, p Page, next string) error {
	n := 64 + len(next)
	for _, o := range p.Objects {
		n += len(o.Raw) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"more":`...)
	b = strconv.AppendBool(b, p.More)
	if next != "" {
		b = append(b, `,"next":"`...)
		b = append(b, next...) // base64url: nothing to escape
		b = append(b, '"')
	}
	if len(p.Objects) > 0 {
		b = append(b, `,"objects":[`...)
		for i, o := range p.Objects {
			raw := bytes.TrimSpace(o.Raw)
			if len(raw) == 0 || raw[0] != '{' {
				return enlace.Errorf(enlace.EInternal, "backend object %s is not a JSON object", o.ID)
			}
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, raw...)
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	setDateAdded(w, p.Objects)
	writeBody(w, http.StatusOK, b)
	return nil
}

type manifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type"`
}

type manifestResource struct {
	More    bool             `json:"more"`
	Next    string           `json:"next,omitempty"`
	Objects []manifestRecord `json:"objects,omitempty"`
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q, err := s.parse(r, epManifest)
	if err != nil {
		return err
	}
	p, next, err := s.pageOf(r, u, epManifest, "", q, q.Filter)
	if err != nil {
		return err
	}
	res := manifestResource{More: p.More, Next: next}
	for _, o := range p.Objects {
		sv := o.SpecVersion
		if sv == "" {
			sv = taxiiVersion
		}
		res.Objects = append(res.Objects, manifestRecord{
			ID: o.ID, DateAdded: ts(o.DateAdded), Version: ts(versionOf(o)), MediaType: stixTypeBase + sv,
		})
	}
	setDateAdded(w, p.Objects)
	writeJSON(w, http.StatusOK, res)
	return nil
}

type versionsResource struct {
	More     bool     `json:"more"`
	Next     string   `json:"next,omitempty"`
	Versions []string `json:"versions,omitempty"`
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q, err := s.parse(r, epVersions)
	if err != nil {
		return err
	}
	id := r.PathValue("obj")
	f := Filter{
		AddedAfter: q.Filter.AddedAfter, IDs: []string{id},
		Versions: []Version{{Kind: VersionAll}}, SpecVersions: q.Filter.SpecVersions,
	}
	p, next, err := s.pageOf(r, u, epVersions, id, q, f)
	if err != nil {
		return err
	}
	if len(p.Objects) == 0 && q.Next == "" {
		return enlace.Errorf(enlace.ENotFound, "no object %s in collection %s matches", id, r.PathValue("coll"))
	}
	res := versionsResource{More: p.More, Next: next}
	for _, o := range p.Objects {
		res.Versions = append(res.Versions, ts(versionOf(o)))
	}
	setDateAdded(w, p.Objects)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) deleteObject(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	q, err := s.parse(r, epDelete)
	if err != nil {
		return err
	}
	// Without match[version] the object goes, every version of it: after a
	// successful DELETE the spec wants the object itself to be 404, which
	// deleting the last version alone would not give.
	f := Filter{Versions: q.Filter.Versions, SpecVersions: q.Filter.SpecVersions}
	if len(f.Versions) == 0 {
		f.Versions = []Version{{Kind: VersionAll}}
	}
	if err := s.backend.DeleteObject(r.Context(), u, r.PathValue("root"), r.PathValue("coll"), r.PathValue("obj"), f); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// addObjects serves POST …/objects/. Refusals, in order: a query string
// (400), a Content-Type other than TAXII 2.1 (415), a body over
// max_content_length (413), a body that is not an envelope (400: the server
// did not understand the request), an envelope without objects or with an
// item that is not a JSON object (422: understood, but nothing it can
// process). The objects themselves are the backend's to judge: an invalid
// one is a failure in the status, not a refusal of the request.
func (s *Server) addObjects(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	if err := s.plain(r); err != nil {
		return err
	}
	if !contentTypeOK(r.Header.Get("Content-Type")) {
		return enlace.Errorf(eUnsupportedMedia, "send the envelope as %s", MediaType)
	}
	if r.ContentLength > s.maxContent {
		return enlace.Errorf(eTooLarge, "the body exceeds max_content_length (%d bytes)", s.maxContent)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxContent))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return enlace.Errorf(eTooLarge, "the body exceeds max_content_length (%d bytes)", s.maxContent)
		}
		return enlace.Errorf(enlace.EInvalid, "reading the body: %v", err)
	}
	objects, err := parseEnvelope(body)
	if err != nil {
		return err
	}
	st, err := s.backend.AddObjects(r.Context(), u, r.PathValue("root"), r.PathValue("coll"), objects)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, renderStatus(st))
	return nil
}

// parseEnvelope returns the objects of a TAXII envelope: EInvalid if body is
// not a JSON object whose objects, if present, are an array;
// eUnprocessable if there are no objects or one is not a JSON object. The
// envelope's more and next are ignored.
func parseEnvelope(body []byte) ([]json.RawMessage, error) {
	var env map[string]json.RawMessage
	if err := json.Unmarshal(body, &env); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, enlace.Errorf(enlace.EInvalid, "malformed JSON at byte %d: %v", syn.Offset, syn)
		case len(bytes.TrimSpace(body)) == 0:
			return nil, enlace.Errorf(enlace.EInvalid, "empty body: an envelope is required")
		default:
			return nil, enlace.Errorf(enlace.EInvalid, "the body is JSON but not an envelope: an envelope is a JSON object with an objects array")
		}
	}
	var objects []json.RawMessage
	if raw, ok := env["objects"]; ok {
		if err := json.Unmarshal(raw, &objects); err != nil {
			return nil, enlace.Errorf(enlace.EInvalid, "the envelope's objects must be an array")
		}
	}
	if len(objects) == 0 {
		return nil, enlace.Errorf(eUnprocessable, "the envelope holds no objects to add")
	}
	for i, o := range objects {
		if o = bytes.TrimSpace(o); len(o) == 0 || o[0] != '{' {
			return nil, enlace.Errorf(eUnprocessable, "objects[%d] is not a JSON object", i)
		}
	}
	return objects, nil
}
