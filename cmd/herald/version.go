package main

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// version is what `herald --version` prints: the module's version, and the
// commit the binary was built from when the build recorded it (go build in
// a git checkout does, unless -buildvcs=false).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "herald (no build information)"
	}
	return versionText(info)
}

func versionText(info *debug.BuildInfo) string {
	var b strings.Builder
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(&b, "herald %s", v)
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, ", commit %s", rev)
		if settings["vcs.modified"] == "true" {
			b.WriteString(" with uncommitted changes")
		}
		if t := settings["vcs.time"]; t != "" {
			fmt.Fprintf(&b, " (%s)", t)
		}
	} else {
		b.WriteString(", commit unknown (built without version control information)")
	}
	fmt.Fprintf(&b, ", %s", info.GoVersion)
	return b.String()
}
