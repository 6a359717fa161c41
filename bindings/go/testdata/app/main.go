// A program of a user's own module that requires the binding with `go get` (test.sh builds
// it outside the tree against an installed library and runs it against the mock server). It
// prints what it got; test.sh compares the output.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	openai "github.com/libopenai/libopenai/bindings/go"
)

func main() {
	ctx := context.Background()
	client, err := openai.NewClient(nil) // OPENAI_API_KEY and OPENAI_BASE_URL
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	resp, err := client.Chat.Completions.New(ctx, `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}`)
	if err != nil {
		log.Fatal(err)
	}
	var completion struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if err := resp.Decode(&completion); err != nil {
		log.Fatal(err)
	}
	fmt.Println("chat:", completion.Choices[0].Message.Content)

	files := 0
	for item, err := range client.Files.ListAutoPaging(ctx, map[string]any{"limit": 2}) {
		if err != nil {
			log.Fatal(err)
		}
		var file struct{ ID string }
		if err := json.Unmarshal(item, &file); err != nil {
			log.Fatal(err)
		}
		files++
	}
	fmt.Println("files:", files)

	stream, err := client.Responses.NewStreaming(ctx, `{"model":"gpt-4o-mini","input":"Hello"}`)
	if err != nil {
		log.Fatal(err)
	}
	events := 0
	for _, err := range stream.Events() {
		if err != nil {
			log.Fatal(err)
		}
		events++
	}
	stream.Close()
	fmt.Println("response events:", events > 0)

	_, err = client.Models.Get(ctx, "missing-model")
	fmt.Println("missing model:", errors.Is(err, openai.CodeNotFound))
	fmt.Println("library:", openai.Version())
}
