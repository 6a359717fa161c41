// Command modproxy writes a Go module proxy directory holding one version of the module in
// the current directory, as a module proxy serves it (GOPROXY=file://DIR): @v/list,
// @v/VERSION.info, @v/VERSION.mod and @v/VERSION.zip. test.sh uses it to fetch this module
// with `go get` from outside the tree, as a user does, without a network.
//
//	go run ./internal/modproxy -version v0.1.0 -out /tmp/proxy
//
// The zip holds what a module zip holds: every regular file of the module's tree under
// MODULE@VERSION/, without .git and .hg, and without subdirectories that are modules of
// their own (a go.mod of their own).
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	version := flag.String("version", "", "the version to publish, e.g. v0.1.0")
	out := flag.String("out", "", "the proxy directory to write")
	flag.Parse()
	if *version == "" || *out == "" || !strings.HasPrefix(*version, "v") {
		fail(fmt.Errorf("usage: modproxy -version vX.Y.Z -out DIR"))
	}
	gomod, err := os.ReadFile("go.mod")
	if err != nil {
		fail(err)
	}
	module := modulePath(gomod)
	if module == "" {
		fail(fmt.Errorf("go.mod names no module"))
	}
	dir := filepath.Join(*out, filepath.FromSlash(escape(module)), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail(err)
	}
	var zipped bytes.Buffer
	if err := zipModule(&zipped, module+"@"+*version); err != nil {
		fail(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": *version, "Time": time.Now().UTC().Format(time.RFC3339)})
	files := map[string][]byte{
		"list":             []byte(*version + "\n"),
		*version + ".info": info,
		*version + ".mod":  gomod,
		*version + ".zip":  zipped.Bytes(),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			fail(err)
		}
	}
}

// modulePath is the path the module line of go.mod names.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// escape is the proxy protocol's case encoding of a module path: each capital letter becomes
// "!" and its lower case.
func escape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func zipModule(w *bytes.Buffer, prefix string) error {
	z := zip.NewWriter(w)
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "." {
				return nil
			}
			if d.Name() == ".git" || d.Name() == ".hg" {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir // a module of its own
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := z.Create(path.Join(prefix, filepath.ToSlash(p)))
		if err != nil {
			return err
		}
		_, err = f.Write(content)
		return err
	})
	if err != nil {
		return err
	}
	return z.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "modproxy:", err)
	os.Exit(1)
}
