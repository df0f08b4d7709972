package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
)

// jobLockSpace sets the job locks' keys apart from the engine's other
// advisory locks: a job's key is its name's FNV-64a hash with the top
// byte replaced by this one.
const jobLockSpace = 0x6a // 'j'

// jobKey returns the advisory lock key of the job called name.
func jobKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("enlace job " + name))
	return int64(h.Sum64()&0x00ffffffffffffff | jobLockSpace<<56)
}

// TryJob runs fn unless the job called name runs on another server (or
// in this one), and reports whether it ran. The job is a session-level
// advisory lock held on one pooled connection for fn's duration, so it
// is released even if this process dies.
func (db *DB) TryJob(ctx context.Context, name string, fn func(context.Context) error) (bool, error) {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("job %s: %w", name, err)
	}
	defer conn.Release()
	key := jobKey(name)
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return false, fmt.Errorf("job %s: %w", name, err)
	}
	if !got {
		return false, nil
	}
	defer func() {
		// A failed unlock would leave the lock with this session: drop
		// the connection rather than return it to the pool holding it.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	return true, fn(ctx)
}
