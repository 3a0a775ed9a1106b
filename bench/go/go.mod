module errgroup-bench

go 1.19

require golang.org/x/sync v0.1.0

// Built offline against Debian's golang-golang-x-sync-dev (bench/run.sh installs it).
replace golang.org/x/sync => /usr/share/gocode/src/golang.org/x/sync
