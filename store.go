package enlace

import (
	"context"
	"time"
)

// Store is everything a storage engine provides. Each method is one
// transaction. Methods return *Error with ENotFound for a missing record,
// EConflict for a duplicate, EInvalid for input the engine refuses; any
// other error is internal.
type Store interface {
	DirectoryStore
	ReportStore
	PolicyStore
	ReleaseStore
	ObjectStore
	LedgerStore
	AlertStore
	Searcher
	UseStore
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the engine's resources.
	Close() error
}

// DirectoryStore holds the parties: nations, agencies, task forces, users
// and their tokens.
type DirectoryStore interface {
	// CreateNation adds n. EConflict if its code exists.
	CreateNation(ctx context.Context, n Nation) (Nation, error)
	// Nation returns the nation with code. ENotFound if none.
	Nation(ctx context.Context, code string) (Nation, error)
	// Nations returns every nation ordered by code.
	Nations(ctx context.Context) ([]Nation, error)

	// CreateAgency adds a. EConflict if its id exists; ENotFound if its
	// nation does not.
	CreateAgency(ctx context.Context, a Agency) (Agency, error)
	// Agency returns the agency with id. ENotFound if none.
	Agency(ctx context.Context, id string) (Agency, error)
	// Agencies returns every agency ordered by id.
	Agencies(ctx context.Context) ([]Agency, error)

	// CreateTaskForce adds t. EConflict if its id exists; ENotFound if a
	// member agency does not.
	CreateTaskForce(ctx context.Context, t TaskForce) (TaskForce, error)
	// TaskForce returns the task force with id. ENotFound if none.
	TaskForce(ctx context.Context, id string) (TaskForce, error)
	// TaskForces returns every task force ordered by id.
	TaskForces(ctx context.Context) ([]TaskForce, error)

	// CreateUser adds u and assigns its ID. EConflict if the user name is
	// taken; ENotFound if its agency does not exist.
	CreateUser(ctx context.Context, u User) (User, error)
	// User returns the user with id. ENotFound if none.
	User(ctx context.Context, id int64) (User, error)
	// UserByName returns the user called username. ENotFound if none.
	UserByName(ctx context.Context, username string) (User, error)
	// Users returns the users of agency, or every user when agency is "".
	Users(ctx context.Context, agency string) ([]User, error)

	// CreateToken stores t (its hash, never the secret) and assigns its ID.
	// ENotFound if the user does not exist.
	CreateToken(ctx context.Context, t Token) (Token, error)
	// TokenByHash returns the unrevoked token with hash and its user.
	// ENotFound if there is none, or it was revoked.
	TokenByHash(ctx context.Context, hash []byte) (Token, User, error)
	// RevokeToken marks the token revoked at t. ENotFound if there is no
	// such token; revoking twice keeps the first time.
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	// Tokens returns the tokens of a user, revoked ones included.
	Tokens(ctx context.Context, userID int64) ([]Token, error)
}

// ReportStore holds reports and the STIX objects they carry.
type ReportStore interface {
	// CreateReport stores r with its objects and assigns Seq. EConflict if
	// its id exists.
	CreateReport(ctx context.Context, r Report) (Report, error)
	// Report returns the report with id. ENotFound if none.
	Report(ctx context.Context, id string) (Report, error)
	// Reports returns reports in arrival order, after f.AfterSeq.
	Reports(ctx context.Context, f ReportFilter) ([]Report, error)
}

// PolicyStore holds what the policy is built from: agreements, directives
// and consents. Every change bumps the policy version in the same
// transaction, so a reader that compares versions never uses a stale
// policy.
type PolicyStore interface {
	// PolicyVersion returns a number that grows with every change to
	// agreements, directives, consents, agencies or task forces.
	PolicyVersion(ctx context.Context) (int64, error)

	// CreateAgreement stores a as a new agreement (a.ID empty: the store
	// assigns "AG-<n>" and version 1) or as the next version of agreement
	// a.ID (ENotFound if it does not exist). Versions are never rewritten.
	CreateAgreement(ctx context.Context, a Agreement) (Agreement, error)
	// Agreement returns the latest version of agreement id. ENotFound if
	// none.
	Agreement(ctx context.Context, id string) (Agreement, error)
	// AgreementVersions returns every version of agreement id, oldest
	// first. ENotFound if none.
	AgreementVersions(ctx context.Context, id string) ([]Agreement, error)
	// Agreements returns the latest version of every agreement, by id.
	Agreements(ctx context.Context) ([]Agreement, error)

	// CreateDirective appends d and assigns Seq and ID.
	CreateDirective(ctx context.Context, d Directive) (Directive, error)
	// Directive returns the directive with id ("D-3"). ENotFound if none.
	Directive(ctx context.Context, id string) (Directive, error)
	// Directives returns every directive in sequence order.
	Directives(ctx context.Context) ([]Directive, error)

	// CreateConsent stores a consent request and assigns its ID.
	CreateConsent(ctx context.Context, c Consent) (Consent, error)
	// DecideConsent records the originator's answer. ENotFound if there is
	// no such request; EConflict if it was already decided.
	DecideConsent(ctx context.Context, id int64, d ConsentDecision, by string, at time.Time) (Consent, error)
	// Consent returns the consent with id. ENotFound if none.
	Consent(ctx context.Context, id int64) (Consent, error)
	// Consents returns the consents for report, or all when report is "".
	Consents(ctx context.Context, report string) ([]Consent, error)
}

// ReleaseStore holds the record of what was released to whom.
type ReleaseStore interface {
	// CreateRelease appends r and its ledger entry and assigns its ID.
	// ENotFound if its report does not exist.
	CreateRelease(ctx context.Context, r Release) (Release, error)
	// CreateReleases appends rs and their ledger entries in one
	// transaction, assigning IDs in order: all or none.
	CreateReleases(ctx context.Context, rs []Release) ([]Release, error)
	// Releases returns releases matching f in id order.
	Releases(ctx context.Context, f ReleaseFilter) ([]Release, error)
}
