// Command genops writes the generated files of the Go binding: operations_gen.go from
// bindings/operations.json and codes_gen.go from bindings/codes.json. Run it from bindings/go,
// as `go generate` does:
//
//	go generate                       # or: go run ./internal/genops
//	go run ./internal/genops -check   # exit 1 if a generated file is stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/libopenai/libopenai/bindings/go/internal/gen"
)

func main() {
	check := flag.Bool("check", false, "only check that the generated files are up to date")
	flag.Parse()
	outputs := []struct {
		source, output string
		render         func([]byte) ([]byte, error)
	}{
		{gen.TablePath, gen.Output, gen.Render},
		{gen.CodesPath, gen.CodesOutput, gen.RenderCodes},
	}
	for _, o := range outputs {
		in, err := os.ReadFile(o.source)
		if err != nil {
			fail(err)
		}
		src, err := o.render(in)
		if err != nil {
			fail(err)
		}
		if *check {
			old, err := os.ReadFile(o.output)
			if err != nil {
				fail(err)
			}
			if !bytes.Equal(old, src) {
				fail(fmt.Errorf("%s is stale: run `go generate` in bindings/go", o.output))
			}
			continue
		}
		if err := os.WriteFile(o.output, src, 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genops:", err)
	os.Exit(1)
}
