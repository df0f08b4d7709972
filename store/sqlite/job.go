package sqlite

import (
	"context"
	"sync"
)

// TryJob runs fn unless the job called name is running, and reports
// whether it ran. A SQLite store has one server, so the jobs are held in
// this process.
func (db *DB) TryJob(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	m, _ := db.jobs.LoadOrStore(name, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	if !mu.TryLock() {
		return false, nil
	}
	defer mu.Unlock()
	return true, fn(ctx)
}
