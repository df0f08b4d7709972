package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// WatchmanResult holds the reference engine's figures on the same queries.
type WatchmanResult struct {
	Classes   []ClassResult
	Negatives []NegativeResult
	Threshold float64
	Queries   int
	Elapsed   time.Duration
	P50, P99  time.Duration
}

type watchmanResponse struct {
	Entities []struct {
		Name     string  `json:"name"`
		SourceID string  `json:"sourceID"`
		Source   string  `json:"source"`
		Match    float64 `json:"match"`
	} `json:"entities"`
}

// watchmanClient queries a watchman server's /v2/search.
type watchmanClient struct {
	base string
	hc   *http.Client
}

func (c *watchmanClient) search(ctx context.Context, name, typ string) (watchmanResponse, error) {
	var out watchmanResponse
	v := url.Values{"name": {name}, "limit": {"10"}}
	if typ != "" {
		if typ == "organization" {
			typ = "business"
		}
		v.Set("type", typ)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.base, "/")+"/v2/search?"+v.Encode(), nil)
	if err != nil {
		return out, err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("watchman: %s", resp.Status)
	}
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

// runWatchman sends a sample of the queries to watchman, name only (its
// /v2/search takes identifiers differently; vessel-id queries without a name
// are skipped).
func runWatchman(ctx context.Context, opts Options, qs []labelled, negs [][]negative) (*WatchmanResult, error) {
	c := &watchmanClient{base: opts.WatchmanURL, hc: &http.Client{Timeout: 10 * time.Second}}
	wr := &WatchmanResult{Threshold: opts.WatchmanThreshold}
	for _, cl := range classes {
		wr.Classes = append(wr.Classes, ClassResult{Class: cl})
	}
	var lat []time.Duration
	t0 := time.Now()
	for _, l := range qs {
		cr := &wr.Classes[classIndex(l.class)]
		if cr.Queries >= opts.WatchmanPerClass || l.q.Name == "" {
			continue
		}
		s := time.Now()
		resp, err := c.search(ctx, l.q.Name, string(l.q.Type))
		if err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(s))
		cr.Queries++
		for rank, e := range resp.Entities {
			if e.SourceID != l.want {
				continue
			}
			cr.At10++
			if rank == 0 || e.Match == resp.Entities[0].Match {
				cr.At1++
				if e.Match >= opts.WatchmanThreshold {
					cr.Alerted++
				}
			}
			break
		}
	}
	sets := []string{"negatives_global", "negatives_us"}
	for i, ns := range negs {
		nr := NegativeResult{Set: sets[i]}
		for j := 0; j < len(ns) && j < opts.WatchmanPerClass*5; j++ {
			s := time.Now()
			resp, err := c.search(ctx, ns[j].q.Name, "person")
			if err != nil {
				return nil, err
			}
			lat = append(lat, time.Since(s))
			nr.Queries++
			if len(resp.Entities) > 0 && resp.Entities[0].Match >= opts.WatchmanThreshold {
				nr.NameOnlyAlerts++
			}
		}
		wr.Negatives = append(wr.Negatives, nr)
	}
	wr.Elapsed = time.Since(t0)
	wr.Queries = len(lat)
	slices.Sort(lat)
	if len(lat) > 0 {
		wr.P50, wr.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	}
	return wr, nil
}
