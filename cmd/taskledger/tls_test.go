package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "taskledger test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// serve --tls-cert --tls-key serves HTTPS; one without the other, or files
// that do not load, are refused before anything starts.
func TestServeTLS(t *testing.T) {
	store := importedLedger(t)
	certFile, keyFile, pool := selfSigned(t)
	if code, _, stderr := runCLI(t, clock, "serve", "--store", store, "--tls-cert", certFile); code != 2 {
		t.Fatalf("--tls-cert alone: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runCLI(t, clock, "serve", "--store", store, "--tls-cert", keyFile, "--tls-key", keyFile); code != 1 || !strings.Contains(stderr, "tls") {
		t.Fatalf("a key given as the certificate: exit %d\n%s", code, stderr)
	}

	out, w := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	a := &cli{stdout: w, stderr: io.Discard, getenv: func(string) string { return "" }, now: func() time.Time { return clock }}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, a, []string{"serve", "--store", store, "--addr", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile})
		w.Close()
	}()
	var base string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "health" {
			base = strings.TrimSuffix(f[1], "/healthz")
			break
		}
	}
	go io.Copy(io.Discard, out)
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		cancel()
		t.Fatalf("serve printed no https address (%q)", base)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("GET /healthz over TLS: status %d, tls %v", resp.StatusCode, resp.TLS != nil)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited %d after the context ended", code)
	}
}
