// Package exchange is the one hall every face of enlace (the JSON API,
// TAXII, the web pages, the command line) goes through to touch
// intelligence. Each call authenticates nothing (the faces do that) but
// authorises everything: it asks the policy for a decision with the
// caller's declared purpose and records what was released.
//
// The policy is rebuilt from the store whenever the store's policy version
// moves. The version is read at the start of every decision-bearing call,
// and it is bumped in the same transaction as the directive, agreement or
// consent that changed it, so a directive that committed before a read
// started is always applied to that read.
package exchange

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/ledger"
	"github.com/enlace-exchange/enlace/policy"
)

// Config holds what an Exchange is built with.
type Config struct {
	Store      enlace.Store
	Vocabulary *enlace.Vocabulary // nil: enlace.DefaultPurposes
	Now        func() time.Time   // nil: time.Now
	Logger     *slog.Logger       // nil: discard
	Screening  *Screening         // nil: no sanctions lists loaded
	Ledger     *ledger.Log        // nil: no record proofs
}

// Exchange serves every operation on intelligence and governance.
type Exchange struct {
	store enlace.Store
	vocab *enlace.Vocabulary
	now   func() time.Time
	log   *slog.Logger

	screening *Screening
	ledger    *ledger.Log

	rescreenMu     sync.Mutex // one rescreen at a time
	rescreened     bool
	rescreenMarker string // the lists the last rescreen used

	// released holds the keys of releases known to stand (see
	// recordReleases). Two readers may still race to record the same
	// release; the second finds it in the store.
	released releasedCache

	mu      sync.Mutex // serialises policy rebuilds
	current struct {
		sync.RWMutex
		version int64
		pol     *policy.Policy
	}
}

// New returns an Exchange over cfg.Store.
func New(cfg Config) *Exchange {
	x := &Exchange{store: cfg.Store, vocab: cfg.Vocabulary, now: cfg.Now, log: cfg.Logger, screening: cfg.Screening, ledger: cfg.Ledger}
	if x.vocab == nil {
		x.vocab = enlace.MustVocabulary(enlace.DefaultPurposes)
	}
	if x.now == nil {
		x.now = time.Now
	}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	x.current.version = -1
	return x
}

// Vocabulary returns the purpose vocabulary in force.
func (x *Exchange) Vocabulary() *enlace.Vocabulary { return x.vocab }

// Ping reports whether the exchange's store answers.
func (x *Exchange) Ping(ctx context.Context) error { return x.store.Ping(ctx) }

// Policy returns the policy for the store's current policy version,
// rebuilding it if any agreement, directive, consent, agency or task force
// changed since it was built.
func (x *Exchange) Policy(ctx context.Context) (*policy.Policy, error) {
	v, err := x.store.PolicyVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("read policy version: %w", err)
	}
	x.current.RLock()
	pol, have := x.current.pol, x.current.version
	x.current.RUnlock()
	if pol != nil && have == v {
		return pol, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.current.RLock()
	pol, have = x.current.pol, x.current.version
	x.current.RUnlock()
	if pol != nil && have >= v {
		return pol, nil
	}
	// Read the version again with the world, so what we cache under a
	// version is at least as new as that version.
	w, built, err := x.loadWorld(ctx)
	if err != nil {
		return nil, err
	}
	pol, err = policy.New(w)
	if err != nil {
		return nil, fmt.Errorf("build policy at version %d: %w", built, err)
	}
	x.current.Lock()
	x.current.pol, x.current.version = pol, built
	x.current.Unlock()
	x.log.Info("policy rebuilt", "version", built, "agreements", len(w.Agreements), "directives", len(w.Directives))
	return pol, nil
}

// loadWorld reads everything the policy is built from. The version is
// read first: a change that lands while we read makes the next request
// rebuild again, never the reverse.
func (x *Exchange) loadWorld(ctx context.Context) (policy.World, int64, error) {
	v, err := x.store.PolicyVersion(ctx)
	if err != nil {
		return policy.World{}, 0, fmt.Errorf("read policy version: %w", err)
	}
	w := policy.World{Vocabulary: x.vocab}
	if w.Agencies, err = x.store.Agencies(ctx); err != nil {
		return w, 0, fmt.Errorf("load agencies: %w", err)
	}
	if w.TaskForces, err = x.store.TaskForces(ctx); err != nil {
		return w, 0, fmt.Errorf("load task forces: %w", err)
	}
	if w.Agreements, err = x.store.Agreements(ctx); err != nil {
		return w, 0, fmt.Errorf("load agreements: %w", err)
	}
	if w.Directives, err = x.store.Directives(ctx); err != nil {
		return w, 0, fmt.Errorf("load directives: %w", err)
	}
	return w, v, nil
}

// PolicyText returns the Cedar policy set in force.
func (x *Exchange) PolicyText(ctx context.Context) (string, error) {
	pol, err := x.Policy(ctx)
	if err != nil {
		return "", err
	}
	return pol.Text(), nil
}

// releasedCache remembers keys of releases known to stand, so a page
// that draws on reports released before asks the store nothing. It holds
// at most maxReleasedKeys and starts over when full: forgetting a key
// costs one query, never a wrong answer, since releases are never
// deleted.
type releasedCache struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

const maxReleasedKeys = 200_000

func (c *releasedCache) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.keys[key]
	return ok
}

func (c *releasedCache) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= maxReleasedKeys {
		c.keys = make(map[string]struct{})
	}
	c.keys[key] = struct{}{}
}
