package taxii

import (
	"net/http"
	"net/url"
	"time"

	"github.com/enlace-exchange/enlace"
)

// TimestampFormat is how every timestamp is rendered: UTC with exactly
// microsecond precision, as TAXII 2.1 asks of date_added and its headers.
const TimestampFormat = "2006-01-02T15:04:05.000000Z"

func ts(t time.Time) string { return t.UTC().Format(TimestampFormat) }

type discoveryResource struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
}

type apiRootResource struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

type collectionResource struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types"`
}

type collectionsResource struct {
	Collections []collectionResource `json:"collections,omitempty"`
}

type statusDetail struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
	Message string `json:"message,omitempty"`
}

type statusResource struct {
	ID               string         `json:"id"`
	Status           string         `json:"status"`
	RequestTimestamp string         `json:"request_timestamp,omitempty"`
	TotalCount       int            `json:"total_count"`
	SuccessCount     int            `json:"success_count"`
	Successes        []statusDetail `json:"successes,omitempty"`
	FailureCount     int            `json:"failure_count"`
	Failures         []statusDetail `json:"failures,omitempty"`
	PendingCount     int            `json:"pending_count"`
	Pendings         []statusDetail `json:"pendings,omitempty"`
}

// plain checks that a request to an endpoint without parameters carries
// none.
func (s *Server) plain(r *http.Request) error {
	_, err := parseQuery(r.URL.RawQuery, epPlain, s.defLimit, s.maxLimit)
	return err
}

// discovery serves GET /taxii2/. It names no default API root: a reader
// declares its purpose by choosing one.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	if err := s.plain(r); err != nil {
		return err
	}
	roots, err := s.backend.Roots(r.Context(), u)
	if err != nil {
		return err
	}
	base := s.base(r)
	res := discoveryResource{Title: s.title, Description: s.desc, Contact: s.contact}
	for _, root := range roots {
		res.APIRoots = append(res.APIRoots, base+"/taxii2/"+url.PathEscape(root.Name)+"/")
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// base is the scheme and host API root URLs are written under.
func (s *Server) base(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	if err := s.plain(r); err != nil {
		return err
	}
	roots, err := s.backend.Roots(r.Context(), u)
	if err != nil {
		return err
	}
	name := r.PathValue("root")
	for _, root := range roots {
		if root.Name == name {
			writeJSON(w, http.StatusOK, apiRootResource{
				Title: root.Title, Description: root.Description,
				Versions: []string{MediaType}, MaxContentLength: s.maxContent,
			})
			return nil
		}
	}
	return enlace.Errorf(enlace.ENotFound, "no API root %q", name)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	if err := s.plain(r); err != nil {
		return err
	}
	st, err := s.backend.Status(r.Context(), u, r.PathValue("root"), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderStatus(st))
	return nil
}

func renderStatus(st Status) statusResource {
	res := statusResource{
		ID: st.ID, Status: st.Status,
		TotalCount: st.Total, SuccessCount: st.Success, FailureCount: st.Failure, PendingCount: st.Pending,
		Successes: details(st.Successes), Failures: details(st.Failures), Pendings: details(st.Pendings),
	}
	if !st.RequestTimestamp.IsZero() {
		res.RequestTimestamp = ts(st.RequestTimestamp)
	}
	return res
}

func details(ds []StatusDetail) []statusDetail {
	if len(ds) == 0 {
		return nil
	}
	out := make([]statusDetail, len(ds))
	for i, d := range ds {
		out[i] = statusDetail{ID: d.ID, Message: d.Message}
		if !d.Version.IsZero() {
			out[i].Version = ts(d.Version)
		}
	}
	return out
}

func (s *Server) collections(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	if err := s.plain(r); err != nil {
		return err
	}
	cs, err := s.backend.Collections(r.Context(), u, r.PathValue("root"))
	if err != nil {
		return err
	}
	var res collectionsResource
	for _, c := range cs {
		res.Collections = append(res.Collections, renderCollection(c))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) collection(w http.ResponseWriter, r *http.Request, u enlace.User) error {
	if err := s.plain(r); err != nil {
		return err
	}
	c, err := s.backend.Collection(r.Context(), u, r.PathValue("root"), r.PathValue("coll"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, renderCollection(c))
	return nil
}

func renderCollection(c Collection) collectionResource {
	return collectionResource{
		ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias,
		CanRead: c.CanRead, CanWrite: c.CanWrite, MediaTypes: []string{STIXMediaType},
	}
}
