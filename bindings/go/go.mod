module github.com/libopenai/libopenai/bindings/go

go 1.23
