package enlace_test

import (
	"bytes"
	"testing"

	"github.com/enlace-exchange/enlace"
)

// TestSubmissionRecordWithoutObjects: a report without objects has one
// record, whether its digests come as nil or as an empty list, so a
// store that recomputes it finds the commitment it wrote.
func TestSubmissionRecordWithoutObjects(t *testing.T) {
	r := enlace.Report{ID: "report--0a1b2c3d-0000-4000-8000-000000000001", Title: "no objects", Markings: enlace.Markings{TLP: enlace.TLPAmber}}
	a, err := enlace.SubmissionRecord(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := enlace.SubmissionRecord(r, []enlace.ObjectDigest{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || !bytes.Contains(a, []byte(`"objects":[]`)) {
		t.Errorf("nil digests: %s\nempty digests: %s", a, b)
	}
}
