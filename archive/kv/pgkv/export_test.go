package pgkv

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
)

// OpenCounting opens like Open and counts the round trips its connections
// make: a write to the server after a read from it starts one.
func OpenCounting(ctx context.Context, dsn string, trips *atomic.Int64) (*Engine, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	cfg.ConnConfig.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		cc := &countingConn{Conn: c, trips: trips}
		cc.read.Store(true)
		return cc, nil
	}
	return open(ctx, cfg)
}

type countingConn struct {
	net.Conn
	trips *atomic.Int64
	read  atomic.Bool // the last operation was a read
}

func (c *countingConn) Write(b []byte) (int, error) {
	if c.read.Swap(false) {
		c.trips.Add(1)
	}
	return c.Conn.Write(b)
}

func (c *countingConn) Read(b []byte) (int, error) {
	c.read.Store(true)
	return c.Conn.Read(b)
}
