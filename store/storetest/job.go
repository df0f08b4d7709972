package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/enlace-exchange/enlace"
)

func testJobs(t *testing.T, s enlace.Store) {
	ctx := t.Context()
	ran, err := s.TryJob(ctx, "checkpoint", func(context.Context) error { return nil })
	if !ran || err != nil {
		t.Fatalf("TryJob(free job) = %v, %v", ran, err)
	}
	boom := errors.New("boom")
	if _, err := s.TryJob(ctx, "checkpoint", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("TryJob did not return fn's error: %v", err)
	}
	// While a job runs, the same job does not run again; another does.
	var inner, other bool
	ran, err = s.TryJob(ctx, "rescreen", func(ctx context.Context) error {
		var err error
		if inner, err = s.TryJob(ctx, "rescreen", func(context.Context) error { return nil }); err != nil {
			return err
		}
		other, err = s.TryJob(ctx, "checkpoint", func(context.Context) error { return nil })
		return err
	})
	if !ran || err != nil || inner || !other {
		t.Errorf("TryJob: ran %v (err %v), the same job again ran %v, another job ran %v; want true, false, true", ran, err, inner, other)
	}
	// Once it finished, it runs again.
	if ran, err := s.TryJob(ctx, "rescreen", func(context.Context) error { return nil }); !ran || err != nil {
		t.Errorf("TryJob after the job finished = %v, %v", ran, err)
	}
}
