// Command feedfarm serves many synthetic feeds and their article pages on a
// loopback address, and writes a feeds.yaml for them, so that a poll round
// of thousands of feeds can be measured on one machine without the network.
//
//	feedfarm -n 2000 -items 20 -config /tmp/farm/feeds.yaml
//
// It runs until interrupted. Feeds answer conditional requests with 304.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"herald/internal/farm"
)

func main() {
	n := flag.Int("n", 2000, "number of feeds")
	items := flag.Int("items", 20, "items per feed")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	config := flag.String("config", "", "write a feeds.yaml for the farm here")
	fullText := flag.Bool("full-text", false, "set full_text: true in the written config")
	flag.Parse()
	if err := run(*n, *items, *addr, *config, *fullText); err != nil {
		log.Fatal(err)
	}
}

func run(n, items int, addr, config string, fullText bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("feedfarm listens on loopback only, not %s", host)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	f := farm.Farm{Base: "http://" + ln.Addr().String(), N: n, Items: items}
	if config != "" {
		if err := f.WriteConfig(config, fullText); err != nil {
			return err
		}
	}
	fmt.Println(f.Base)
	srv := &http.Server{Handler: f.Handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
