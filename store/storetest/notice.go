package storetest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
)

// mysqlSkipped makes the notice of a skipped MariaDB half once per test
// binary, that is once per package, however many tests ask for backends.
var mysqlSkipped sync.Once

// noticeMySQLSkipped says that the package's MariaDB half did not run and
// how to run it. A passing package's output, even TestMain's, is discarded
// by go test ./... without -v, so the line goes to the terminal (/dev/tty)
// when there is one; otherwise to standard output, where -v, -json and go
// test in the package's own directory show it. A cached result prints
// nothing: the cache is keyed on the variable, so it was a SQLite-only run
// too.
func noticeMySQLSkipped() {
	mysqlSkipped.Do(func() {
		tty := func() (io.WriteCloser, error) { return os.OpenFile("/dev/tty", os.O_WRONLY, 0) }
		writeNotice(skipNotice(testedPackage()), tty, os.Stdout)
	})
}

// skipNotice is the line that tells a developer pkg ran on SQLite only.
func skipNotice(pkg string) string {
	return fmt.Sprintf("%s: MariaDB half skipped; to run it: %s='root@tcp(127.0.0.1:3306)/test?parseTime=true' go test ./...\n",
		pkg, EnvMySQLDSN)
}

// writeNotice writes msg to the terminal that tty opens or, when there is
// none, to stdout.
func writeNotice(msg string, tty func() (io.WriteCloser, error), stdout io.Writer) {
	if w, err := tty(); err == nil {
		defer w.Close()
		io.WriteString(w, msg)
		return
	}
	io.WriteString(stdout, msg)
}

// testedPackage is the import path of the package under test, from the test
// binary's build information or, failing that, its file name.
func testedPackage() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Path != "" {
		return strings.TrimSuffix(bi.Path, ".test")
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
}
