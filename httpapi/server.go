// Package httpapi is enlace's JSON API under /api/v1/, with the health,
// readiness and metrics endpoints beside it. It parses, authenticates and
// renders; every decision is the exchange's.
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/auth"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// PurposeHeader is the request header in which a reader declares what it
// reads for.
const PurposeHeader = "Enlace-Purpose"

// Server serves the JSON API.
type Server struct {
	x        *exchange.Exchange
	log      *slog.Logger
	mux      *http.ServeMux
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	patterns []string // every route registered, for the OpenAPI test
}

// New returns a Server over x. Metrics are registered in reg, which
// /metrics serves.
func New(x *exchange.Exchange, log *slog.Logger, reg *prometheus.Registry) *Server {
	s := &Server{
		x: x, log: log, mux: http.NewServeMux(), registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "enlace_http_requests_total",
			Help: "HTTP requests by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "enlace_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(s.requests, s.latency)
	s.routes()
	return s
}

// handler is an authenticated API handler; it returns an error for
// writeError to render.
type handler func(w http.ResponseWriter, r *http.Request, u enlace.User) error

// Handle registers an authenticated route on the server's mux, so other
// faces (TAXII, the web UI) share its middleware and metrics.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

func (s *Server) routes() {
	s.register("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	s.handle("GET /readyz", s.readyz)
	s.register("GET /metrics", s.authed(func(w http.ResponseWriter, r *http.Request, _ enlace.User) error {
		promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		return nil
	}))
	s.handle("GET /api/v1/openapi.json", s.openAPI)
	s.handle("GET /api/v1/me", s.me)
	s.handle("GET /api/v1/purposes", s.purposes)
	s.handle("GET /api/v1/nations", s.nations)
	s.handle("GET /api/v1/agencies", s.agencies)
	s.handle("GET /api/v1/task-forces", s.taskForces)
	s.handle("GET /api/v1/users", s.users)
	s.handle("POST /api/v1/users", s.createUser)
	s.handle("GET /api/v1/tokens", s.tokens)
	s.handle("POST /api/v1/tokens", s.createToken)
	s.handle("DELETE /api/v1/tokens/{id}", s.revokeToken)
	s.handle("POST /api/v1/reports", s.createReport)
	s.handle("GET /api/v1/reports", s.listReports)
	s.handle("GET /api/v1/reports/{id}", s.getReport)
	s.handle("GET /api/v1/search", s.search)
	s.handle("POST /api/v1/agreements", s.createAgreement)
	s.handle("GET /api/v1/agreements", s.listAgreements)
	s.handle("GET /api/v1/agreements/{id}", s.getAgreement)
	s.handle("POST /api/v1/directives", s.createDirective)
	s.handle("GET /api/v1/directives", s.listDirectives)
	s.handle("GET /api/v1/directives/{id}", s.getDirective)
	s.handle("POST /api/v1/consents", s.createConsent)
	s.handle("GET /api/v1/consents", s.listConsents)
	s.handle("GET /api/v1/consents/{id}", s.getConsent)
	s.handle("POST /api/v1/consents/{id}/decision", s.decideConsent)
	s.handle("GET /api/v1/decisions/explain", s.explain)
	s.handle("GET /api/v1/releases", s.listReleases)
	s.handle("POST /api/v1/screen", s.screen)
	s.handle("GET /api/v1/alerts", s.listAlerts)
	s.handle("GET /api/v1/ledger/checkpoints", s.listCheckpoints)
	s.handle("GET /api/v1/ledger/records/{kind}/{id}", s.proveRecord)
	s.handle("POST /api/v1/uses", s.declareUse)
	s.handle("GET /api/v1/uses", s.listUses)
	s.handle("GET /api/v1/uses/{id}", s.getUse)
	s.handle("POST /api/v1/outcomes", s.reportOutcome)
	s.handle("GET /api/v1/outcomes", s.listOutcomes)
	s.handle("GET /api/v1/accounting/shares", s.accountingShares)
	s.handle("GET /api/v1/accounting/outcomes", s.accountingOutcomes)
	s.handle("GET /api/v1/accounting/reports/{id}", s.accountingReport)
	// Unknown API paths still authenticate first: an anonymous caller
	// learns nothing about which paths exist.
	s.mux.Handle("/api/", s.authed(func(w http.ResponseWriter, r *http.Request, _ enlace.User) error {
		return enlace.Errorf(enlace.ENotFound, "no such endpoint %s %s", r.Method, r.URL.Path)
	}))
}

func (s *Server) handle(pattern string, h handler) { s.register(pattern, s.authed(h)) }

func (s *Server) register(pattern string, h http.Handler) {
	s.patterns = append(s.patterns, pattern)
	s.mux.Handle(pattern, h)
}

// authed authenticates the request, then runs h and renders its error.
func (s *Server) authed(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.Authenticate(r)
		if err == nil {
			err = h(w, r, u)
		}
		if err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// Authenticate returns the user behind the request's credentials.
func (s *Server) Authenticate(r *http.Request) (enlace.User, error) {
	c, ok := auth.FromRequest(r)
	if !ok {
		return enlace.User{}, enlace.Errorf(enlace.EUnauthorized, "authentication required: HTTP Basic (user name and token) or Authorization: Bearer <token>")
	}
	return s.x.Authenticate(r.Context(), c)
}

// ServeHTTP wraps the mux with request ids, recovery, logging and
// metrics.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	w.Header().Set("X-Request-Id", id)
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(r.Context(), "panic", "panic", p, "request_id", id)
			if !rec.wrote {
				writeError(rec, r, s.log, enlace.Errorf(enlace.EInternal, "panic"))
			}
		}
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
		s.latency.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
		s.log.InfoContext(r.Context(), "request", "request_id", id, "method", r.Method, "path", r.URL.Path,
			"route", route, "status", rec.status, "bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	s.mux.ServeHTTP(rec, r)
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ enlace.User) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.x.Ping(ctx); err != nil {
		s.log.ErrorContext(r.Context(), "not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}
