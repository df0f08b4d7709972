package main

import (
	"context"
	"encoding/json"

	"github.com/enlace-exchange/enlace"
	"github.com/enlace-exchange/enlace/exchange"
	"github.com/enlace-exchange/enlace/taxii"
)

// taxiiBackend serves the TAXII face from the exchange. It translates
// types and nothing else: every decision is the exchange's. Each purpose
// of the vocabulary is an API root, so a stock TAXII client declares its
// purpose by the URL it is given.
type taxiiBackend struct{ x *exchange.Exchange }

var _ taxii.Backend = taxiiBackend{}

// purpose checks that root names a purpose.
func (b taxiiBackend) purpose(root string) error {
	if !b.x.Vocabulary().Known(enlace.Purpose(root)) {
		return enlace.Errorf(enlace.ENotFound, "no API root %s", root)
	}
	return nil
}

func (b taxiiBackend) Roots(ctx context.Context, u enlace.User) ([]taxii.Root, error) {
	var out []taxii.Root
	for _, d := range b.x.Vocabulary().Defs() {
		out = append(out, taxii.Root{Name: string(d.ID), Title: "enlace: intelligence for " + string(d.ID),
			Description: "Reading here declares the purpose " + string(d.ID) + " (" + d.Description +
				"). You see what the sharing policy releases to your agency for it."})
	}
	return out, nil
}

func collection(c exchange.Collection) taxii.Collection {
	return taxii.Collection{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Alias, CanRead: c.CanRead, CanWrite: c.CanWrite}
}

func (b taxiiBackend) Collections(ctx context.Context, u enlace.User, root string) ([]taxii.Collection, error) {
	if err := b.purpose(root); err != nil {
		return nil, err
	}
	cs, err := b.x.Collections(ctx, u)
	if err != nil {
		return nil, err
	}
	out := make([]taxii.Collection, len(cs))
	for i, c := range cs {
		out[i] = collection(c)
	}
	return out, nil
}

func (b taxiiBackend) Collection(ctx context.Context, u enlace.User, root, id string) (taxii.Collection, error) {
	if err := b.purpose(root); err != nil {
		return taxii.Collection{}, err
	}
	c, err := b.x.Collection(ctx, u, id)
	return collection(c), err
}

// versions translates match[version].
func versions(vs []taxii.Version) []enlace.VersionMatch {
	out := make([]enlace.VersionMatch, len(vs))
	for i, v := range vs {
		switch v.Kind {
		case taxii.VersionLast:
			out[i].Kind = enlace.VersionLast
		case taxii.VersionFirst:
			out[i].Kind = enlace.VersionFirst
		case taxii.VersionAll:
			out[i].Kind = enlace.VersionAll
		case taxii.VersionAt:
			out[i] = enlace.VersionMatch{Kind: enlace.VersionAt, At: v.At}
		}
	}
	return out
}

func (b taxiiBackend) Objects(ctx context.Context, u enlace.User, root, coll string, f taxii.Filter, after taxii.Cursor, limit int) (taxii.Page, error) {
	if err := b.purpose(root); err != nil {
		return taxii.Page{}, err
	}
	// date_added is unique, so the cursor's date alone is a position.
	added := f.AddedAfter
	if after.DateAdded.After(added) {
		added = after.DateAdded
	}
	page, err := b.x.Objects(ctx, u, root, coll, enlace.ObjectFilter{AddedAfter: added, IDs: f.IDs, Types: f.Types,
		SpecVersions: f.SpecVersions, Versions: versions(f.Versions), Limit: limit})
	if err != nil {
		return taxii.Page{}, err
	}
	out := taxii.Page{Objects: make([]taxii.Object, len(page.Objects)), More: page.More}
	for i, o := range page.Objects {
		out.Objects[i] = taxii.Object{ID: o.ID, Type: o.Type, SpecVersion: o.SpecVersion, Version: o.Version,
			DateAdded: o.DateAdded, Seq: o.Seq, Raw: o.Raw}
	}
	return out, nil
}

func status(s enlace.TAXIIStatus) taxii.Status {
	details := func(ds []enlace.StatusDetail) []taxii.StatusDetail {
		out := make([]taxii.StatusDetail, len(ds))
		for i, d := range ds {
			out[i] = taxii.StatusDetail{ID: d.ID, Version: d.Version, Message: d.Message}
		}
		return out
	}
	return taxii.Status{ID: s.ID, Status: "complete", RequestTimestamp: s.RequestTimestamp, Total: s.Total,
		Success: len(s.Successes), Failure: len(s.Failures), Successes: details(s.Successes), Failures: details(s.Failures)}
}

func (b taxiiBackend) AddObjects(ctx context.Context, u enlace.User, root, coll string, objects []json.RawMessage) (taxii.Status, error) {
	if err := b.purpose(root); err != nil {
		return taxii.Status{}, err
	}
	s, err := b.x.AddObjects(ctx, u, coll, objects)
	return status(s), err
}

func (b taxiiBackend) Status(ctx context.Context, u enlace.User, root, id string) (taxii.Status, error) {
	if err := b.purpose(root); err != nil {
		return taxii.Status{}, err
	}
	s, err := b.x.Status(ctx, u, id)
	return status(s), err
}

func (b taxiiBackend) DeleteObject(ctx context.Context, u enlace.User, root, coll, id string, f taxii.Filter) error {
	if err := b.purpose(root); err != nil {
		return err
	}
	return b.x.WithdrawObject(ctx, u, coll, id, versions(f.Versions))
}
