//go:build tools

// The programs of dtlto's REAPI test farm (utils/reapi-farm.py builds them).
package tools

import (
	_ "github.com/buildbarn/bb-remote-execution/cmd/bb_scheduler"
	_ "github.com/buildbarn/bb-storage/cmd/bb_storage"
	_ "google.golang.org/grpc/cmd/protoc-gen-go-grpc"
	_ "google.golang.org/protobuf/cmd/protoc-gen-go"
)
