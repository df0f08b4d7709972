package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the enlace command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "enlace-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "enlace")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// proc is the enlace binary serving a data directory.
type proc struct {
	cmd *exec.Cmd
	url string
}

// startProc runs the binary on the data directory dir and, unless store is
// "", the PostgreSQL store that ENLACE_STORE names, as an operator would
// configure it.
func startProc(t *testing.T, dir, store string, demo bool) *proc {
	t.Helper()
	args := []string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-level", "warn"}
	if demo {
		args = append(args, "--demo")
	}
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "ENLACE_STORE="+store)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	url := ""
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "enlace serving on "); ok {
			url = u
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if url == "" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("enlace did not start")
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return &proc{cmd: cmd, url: url}
}

func postReport(url, user, token string, i int) (int, error) {
	body, _ := json.Marshal(map[string]any{
		"id": newReportID(i), "title": fmt.Sprintf("durability probe %d", i),
		"markings": map[string]any{"tlp": "amber"},
		"grading":  map[string]string{"scheme": "admiralty", "source": "B", "information": "2"},
	})
	req, _ := http.NewRequest("POST", url+"/api/v1/reports", bytes.NewReader(body))
	req.SetBasicAuth(user, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var got struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&got)
	return resp.StatusCode, nil
}

// forEachEngineProc runs test on each engine with a fresh data directory
// and store, as a subtest named by the engine.
func forEachEngineProc(t *testing.T, test func(t *testing.T, dir, store string)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) { test(t, t.TempDir(), e.store(t)) })
	}
}

// TestSIGKILLLosesNothing kills the server right after each acknowledged
// write; every acknowledged report is there after a restart.
func TestSIGKILLLosesNothing(t *testing.T) { forEachEngineProc(t, testSIGKILLLosesNothing) }

func testSIGKILLLosesNothing(t *testing.T, dir, store string) {
	p := startProc(t, dir, store, true)
	creds := readCreds(t, filepath.Join(dir, "demo-credentials.json"))
	c := creds["dipol-analyst"]
	var acked []int
	for round := range 5 {
		if round > 0 {
			p = startProc(t, dir, store, true)
		}
		i := round
		status, err := postReport(p.url, c.Username, c.Token, i)
		if err != nil || status != 201 {
			t.Fatalf("round %d: status %d, %v", round, status, err)
		}
		acked = append(acked, i)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
	}
	p = startProc(t, dir, store, true)
	n := &node{t: t, url: p.url, creds: creds}
	titles := probeTitles(n)
	found := 0
	for _, i := range acked {
		if titles[fmt.Sprintf("durability probe %d", i)] {
			found++
		}
	}
	if found != len(acked) {
		t.Fatalf("%d of %d acknowledged reports survived SIGKILL", found, len(acked))
	}
}

// TestSIGTERMFinishesInFlight sends SIGTERM while writes are in flight:
// every write the server acknowledged is kept, and no client sees a
// response cut off.
func TestSIGTERMFinishesInFlight(t *testing.T) { forEachEngineProc(t, testSIGTERMFinishesInFlight) }

func testSIGTERMFinishesInFlight(t *testing.T, dir, store string) {
	p := startProc(t, dir, store, true)
	creds := readCreds(t, filepath.Join(dir, "demo-credentials.json"))
	c := creds["dipol-analyst"]
	var mu sync.Mutex
	var acked []int
	var wg sync.WaitGroup
	deadline := time.Now().Add(10 * time.Second)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 1000; time.Now().Before(deadline); i++ {
				status, err := postReport(p.url, c.Username, c.Token, i)
				if err != nil {
					return // the listener closed: no request was accepted
				}
				if status != 201 {
					t.Errorf("status %d during shutdown", status)
					return
				}
				mu.Lock()
				acked = append(acked, i)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("enlace exited badly after SIGTERM: %v", err)
	}
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before SIGTERM: the test proves nothing")
	}
	p = startProc(t, dir, store, true)
	n := &node{t: t, url: p.url, creds: creds}
	titles := probeTitles(n)
	lost := 0
	for _, i := range acked {
		if !titles[fmt.Sprintf("durability probe %d", i)] {
			lost++
		}
	}
	t.Logf("%d writes acknowledged before shutdown, %d lost", len(acked), lost)
	if lost != 0 {
		t.Fatalf("%d of %d acknowledged writes lost", lost, len(acked))
	}
}

// probeTitles returns the titles of the reports DIPOL originated.
func probeTitles(n *node) map[string]bool {
	titles := map[string]bool{}
	for _, r := range n.reportIDs("dipol-analyst", "investigation", "&originator=DIPOL") {
		titles[r.Title] = true
	}
	return titles
}
