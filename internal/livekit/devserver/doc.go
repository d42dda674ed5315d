// Package devserver installs, configures and supervises the livekit-server
// that runs alongside LiveServer in single-machine mode (DESIGN §2).
//
// The generated configuration follows DESIGN §7: command-line flags alone
// leave media ports open on every interface, so everything is set in a
// config file, bound to loopback unless AdvertiseIP names a LAN address.
package devserver
