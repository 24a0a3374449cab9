package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"herald"
	"herald/archive"
	"herald/search"
)

// The local channel: while `herald run` holds the archive (bbolt locks the
// file for one writer, and readers wait for it), the commands that only
// read it ask the daemon instead. The daemon answers HTTP requests on a
// unix socket beside the archive, "herald.db.sock", made mode 0600: only
// the archive's owner can connect, nothing on the network can, and a
// client finds it from the archive's path alone, with no port, token or
// config. Each request is one GET, answered with a stream (a backup, an
// export) or JSON; an error is a non-200 status with one line of text.
//
//	GET /backup                   a consistent copy of the archive file
//	GET /stats                    {"stats": archive.Stats, "feeds": [FeedState]}
//	GET /export?format=&feed=&tag=&since=&until=    as `herald export`

// socketPath is where the daemon of the archive at path listens.
func socketPath(archivePath string) string { return archivePath + ".sock" }

// listenLocal opens the daemon's socket. The daemon holds the archive's
// lock, so a socket file already there was left by one that died.
func listenLocal(archivePath string) (net.Listener, error) {
	p := socketPath(archivePath)
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	ln, err := net.Listen("unix", p)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(p, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// localHandler serves the local channel from the daemon's archive.
func localHandler(db *archive.DB, ix search.Engine, listen string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /search", localSearch(db, ix, listen))
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		if _, err := db.Backup(w); err != nil {
			localError(w, err)
		}
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		st, err := db.Stats()
		if err != nil {
			localError(w, err)
			return
		}
		states, err := db.FeedStates()
		if err != nil {
			localError(w, err)
			return
		}
		json.NewEncoder(w).Encode(localStats{Stats: st, Feeds: states})
	})
	mux.HandleFunc("GET /export", func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query()
		q := archive.Query{Feed: v.Get("feed"), Tag: v.Get("tag")}
		var err error
		if q.Since, err = parseTime(v.Get("since")); err == nil {
			q.Until, err = parseTime(v.Get("until"))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := exportTo(r.Context(), db, w, v.Get("format"), q, "http://"+listen); err != nil {
			localError(w, err)
		}
	})
	return mux
}

// localError answers with one line; after the body has begun, the client
// sees the stream cut short instead (its copy fails).
func localError(w http.ResponseWriter, err error) {
	http.Error(w, strings.ReplaceAll(err.Error(), "\n", " "), http.StatusInternalServerError)
}

type localStats struct {
	Stats archive.Stats      `json:"stats"`
	Feeds []herald.FeedState `json:"feeds"`
}

// errNoDaemon says no daemon answers for the archive: the command opens
// the file itself.
var errNoDaemon = errors.New("no daemon")

// askDaemon sends one request to the daemon of the archive at path and
// copies its answer to w. It returns errNoDaemon when none listens.
func askDaemon(ctx context.Context, archivePath, request string, w io.Writer) error {
	sock := socketPath(archivePath)
	if _, err := os.Stat(sock); err != nil {
		return errNoDaemon
	}
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		ResponseHeaderTimeout: time.Minute,
	}}
	defer c.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://herald"+request, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ctx.Err() == nil {
			return errNoDaemon // a socket left by a daemon that died
		}
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("the running daemon answers: %s", strings.TrimSpace(string(msg)))
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("reading the running daemon's answer: %w", err)
	}
	return nil
}

// serveLocal answers the local channel until ctx ends, then gives the
// requests in flight a few seconds (a backup holds a read transaction
// that the archive's Close waits for) and closes the socket, which
// removes its file.
func serveLocal(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-done
	return nil
}
