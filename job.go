package enlace

import "context"

// JobStore coordinates the background jobs (signing ledger checkpoints,
// re-screening) of servers that share one store, so each runs on one
// server at a time.
type JobStore interface {
	// TryJob runs fn unless the job called name is running elsewhere, and
	// reports whether it ran. The job is held for fn's duration; fn's
	// error is returned.
	TryJob(ctx context.Context, name string, fn func(context.Context) error) (bool, error)
}
