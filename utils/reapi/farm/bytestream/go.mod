module google.golang.org/genproto/googleapis/bytestream

go 1.23
