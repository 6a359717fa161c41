package openai_test

// The examples run against the mock server: TestMain points OPENAI_API_KEY and
// OPENAI_BASE_URL at it. The first one is the README's example.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	openai "github.com/libopenai/libopenai/bindings/go"
)

func Example() {
	client, err := openai.NewClient(nil) // the key from OPENAI_API_KEY
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	resp, err := client.Chat.Completions.New(context.Background(),
		`{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}`)
	if err != nil {
		log.Fatal(err)
	}
	var completion struct {
		Choices []struct{ Message struct{ Content string } }
	}
	if err := resp.Decode(&completion); err != nil {
		log.Fatal(err)
	}
	fmt.Println(completion.Choices[0].Message.Content)
	// Output: Hello! How can I help you today?
}

func ExampleStream() {
	client, err := openai.NewClient(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	stream, err := client.Chat.Completions.NewStreaming(context.Background(),
		map[string]any{"model": "gpt-4o-mini", "messages": []any{map[string]any{"role": "user", "content": "Hello"}}})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	for stream.Next() {
		var chunk struct {
			Choices []struct{ Delta struct{ Content string } }
		}
		if stream.Current().Decode(&chunk) == nil && len(chunk.Choices) > 0 {
			fmt.Print(chunk.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		log.Fatal(err)
	}
	fmt.Println()
	// Output: Hello! How can I help you today?
}

func ExampleStream_Events() {
	client, err := openai.NewClient(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	stream, err := client.Responses.NewStreaming(context.Background(), `{"model":"gpt-4o-mini","input":"Hello"}`)
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()
	for event, err := range stream.Events() {
		if err != nil {
			log.Fatal(err)
		}
		if event.Name == "response.output_text.delta" {
			var delta struct{ Delta string }
			if err := event.Decode(&delta); err != nil {
				log.Fatal(err)
			}
			fmt.Print(delta.Delta)
		}
	}
	fmt.Println()
	// Output: Hi
}

func ExampleError() {
	client, err := openai.NewClient(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	_, err = client.Models.Get(context.Background(), "missing-model")
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, errors.Is(err, openai.CodeNotFound))
		fmt.Println(apiErr.Message)
	}
	// Output:
	// 404 model_not_found true
	// The model 'missing-model' does not exist
}

func ExampleFilesService_ListAutoPaging() {
	client, err := openai.NewClient(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for item, err := range client.Files.ListAutoPaging(context.Background(), map[string]any{"limit": 3}) {
		if err != nil {
			log.Fatal(err)
		}
		var file struct{ ID, Filename string }
		if err := json.Unmarshal(item, &file); err != nil {
			log.Fatal(err)
		}
		fmt.Println(file.ID)
	}
	// Output:
	// file-abc001
	// file-abc002
	// file-abc003
	// file-abc004
	// file-abc005
	// file-abc006
	// file-abc007
}

func ExampleFilesService_ListPages() {
	client, err := openai.NewClient(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for page, err := range client.Files.ListPages(context.Background(), map[string]any{"limit": 3}) {
		if err != nil {
			log.Fatal(err)
		}
		var list struct{ Data []struct{ ID string } }
		if err := page.Decode(&list); err != nil {
			log.Fatal(err)
		}
		fmt.Println(len(list.Data), list.Data[0].ID)
	}
	// Output:
	// 3 file-abc001
	// 3 file-abc004
	// 1 file-abc007
}
