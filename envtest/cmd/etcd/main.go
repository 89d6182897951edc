// Command etcd is upstream etcd's server, the version Kubernetes 1.37 tests with.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
