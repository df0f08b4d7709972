//go:build !unix

package stix_test

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
