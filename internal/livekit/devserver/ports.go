package devserver

import (
	"errors"
	"fmt"
	"net"
)

// FreeTCPPort returns a TCP port on 127.0.0.1 that was free a moment ago.
// Another process can take it before the caller binds it; that is fine for
// tests and dev runs, which retry by starting over.
func FreeTCPPort() (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, fmt.Errorf("devserver: find free TCP port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp4", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, fmt.Errorf("devserver: find free UDP port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// FreeUDPRange returns the first of n consecutive free UDP ports on
// 127.0.0.1, for the TURN relay range.
func FreeUDPRange(n int) (int, error) {
	if n < 1 {
		return 0, errors.New("devserver: UDP range must hold at least one port")
	}
	for range 50 {
		start, err := FreeUDPPort()
		if err != nil {
			return 0, err
		}
		if start+n-1 > 65535 {
			continue
		}
		if rangeFree(start, n) {
			return start, nil
		}
	}
	return 0, fmt.Errorf("devserver: no %d consecutive free UDP ports found", n)
}

func rangeFree(start, n int) bool {
	var held []net.PacketConn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for p := start; p < start+n; p++ {
		c, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", loopback, p))
		if err != nil {
			return false
		}
		held = append(held, c)
	}
	return true
}

// relayRangeSize is how many relay ports WithFreePorts reserves: each
// client connection through TURN takes one, and tests hold a handful.
const relayRangeSize = 8

// WithFreePorts returns c with every zero port replaced by a free one on
// loopback.
func (c Config) WithFreePorts() (Config, error) {
	var err error
	fill := func(p *int, free func() (int, error)) {
		if err == nil && *p == 0 {
			*p, err = free()
		}
	}
	fill(&c.Port, FreeTCPPort)
	fill(&c.RTCUDPPort, FreeUDPPort)
	fill(&c.TURNUDPPort, FreeUDPPort)
	if err == nil && c.RelayPortStart == 0 && c.RelayPortEnd == 0 {
		c.RelayPortStart, err = FreeUDPRange(relayRangeSize)
		c.RelayPortEnd = c.RelayPortStart + relayRangeSize - 1
	}
	if err != nil {
		return Config{}, err
	}
	return c, nil
}
