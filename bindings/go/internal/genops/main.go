// Command genops writes operations_gen.go from bindings/operations.json. Run it from
// bindings/go, as `go generate` does:
//
//	go generate            # or: go run ./internal/genops
//	go run ./internal/genops -check   # exit 1 if operations_gen.go is stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/libopenai/libopenai/bindings/go/internal/gen"
)

func main() {
	check := flag.Bool("check", false, "only check that "+gen.Output+" is up to date")
	flag.Parse()
	table, err := os.ReadFile(gen.TablePath)
	if err != nil {
		fail(err)
	}
	src, err := gen.Render(table)
	if err != nil {
		fail(err)
	}
	if *check {
		old, err := os.ReadFile(gen.Output)
		if err != nil {
			fail(err)
		}
		if !bytes.Equal(old, src) {
			fail(fmt.Errorf("%s is stale: run `go generate` in bindings/go", gen.Output))
		}
		return
	}
	if err := os.WriteFile(gen.Output, src, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genops:", err)
	os.Exit(1)
}
