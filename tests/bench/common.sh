# common.sh: what every `unikit bench` module uses (sourced by bench.sh): messages, progress, CSV, quantiles, report sections.
#
#   log TEXT...                   a line on stderr
#   mem_available_kib, mem_available_settled   MemAvailable now, or the mean of three samples
#   progress WHAT DONE TOTAL      the one progress line: module, how far, what runs now
#   csv FILE FIELD...             appends one row (FILE under $OUT; the first call should be the header)
#   summary METRIC UNIT PATH VALUE   a row of the summary table (report.sh divides the paths' values)
#   quantile FILE COLUMN Q        the Q-quantile (0..1) of a numeric CSV column, nearest rank, header skipped
#   section NAME TITLE            starts the report section of a module; md TEXT... appends to it
#   md_table FILE [COLUMNS]       appends a CSV as a markdown table
#   plot NAME TITLE XLABEL YLABEL CSV XCOL YCOL [GROUPCOL]   an SVG line plot (gnuplot), one line per group

log() { echo "bench: $*" >&2; }

# MemAvailable in KiB; settled: the mean of three samples a quarter of a second apart (the machine is shared).
mem_available_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
mem_available_settled() {
    local a b c
    a=$(mem_available_kib); sleep 0.25; b=$(mem_available_kib); sleep 0.25; c=$(mem_available_kib)
    echo $(((a + b + c) / 3))
}

# On a terminal the progress line redraws itself; into a file, a line at most every 5 s.
PROGRESS_LAST=0
progress() {
    local what=$1 done=$2 total=$3 now
    if [ -t 2 ]; then
        printf '\r\033[K[bench %s] %s/%s %s' "$MODULE" "$done" "$total" "$what" >&2
        return
    fi
    now=$(date +%s)
    if [ $((now - PROGRESS_LAST)) -ge 5 ] || [ "$done" = "$total" ]; then
        printf '[bench %s] %s/%s %s\n' "$MODULE" "$done" "$total" "$what" >&2
        PROGRESS_LAST=$now
    fi
}
progress_end() { [ -t 2 ] && printf '\r\033[K' >&2; return 0; }

csv() {
    local file=$OUT/$1
    shift
    local IFS=,
    echo "$*" >>"$file"
}

summary() { csv summary.csv "$@"; }

quantile() {
    local file=$1 col=$2 q=$3
    tail -n +2 "$file" | cut -d, -f"$col" | grep -E '^-?[0-9.]+$' | sort -g |
        awk -v q="$q" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
            i = int(q * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'
}

# quantile_where FILE COLUMN Q FILTERCOL VALUE: the same over the rows whose FILTERCOL is VALUE.
quantile_where() {
    local file=$1 col=$2 q=$3 fcol=$4 val=$5
    awk -F, -v c="$col" -v f="$fcol" -v v="$val" 'NR > 1 && $f == v && $c ~ /^-?[0-9.]+$/ { print $c }' "$file" |
        sort -g | awk -v q="$q" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit }
            i = int(q * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print v[i] }'
}

SECTION=""
section() {
    SECTION=$OUT/.sections/$(printf '%02d' "$SECTION_SEQ")-$1.md
    SECTION_SEQ=$((SECTION_SEQ + 1))
    mkdir -p "$OUT/.sections"
    printf '## %s\n\n' "$2" >"$SECTION"
}
SECTION_SEQ=1
md() { printf '%s\n' "$@" >>"$SECTION"; }

md_table() {
    local file=$OUT/$1
    awk -F, 'NR == 1 { h = "|"; s = "|"; for (i = 1; i <= NF; i++) { h = h " " $i " |"; s = s "---|" }
                       print h; print s; next }
             { r = "|"; for (i = 1; i <= NF; i++) r = r " " $i " |"; print r }' "$file" >>"$SECTION"
    md ""
}

plot() {
    local name=$1 title=$2 xlabel=$3 ylabel=$4 csvfile=$OUT/$5 xcol=$6 ycol=$7 gcol=${8:-}
    command -v gnuplot >/dev/null || return 0
    local groups="all" g cmd="" sep=""
    [ -n "$gcol" ] && groups=$(tail -n +2 "$csvfile" | cut -d, -f"$gcol" | awk '!seen[$0]++')
    for g in $groups; do
        local data=$WORK/plot-$name-$g.dat
        if [ -n "$gcol" ]; then
            awk -F, -v g="$g" -v gc="$gcol" -v x="$xcol" -v y="$ycol" 'NR > 1 && $gc == g { print $x, $y }' "$csvfile" >"$data"
        else
            awk -F, -v x="$xcol" -v y="$ycol" 'NR > 1 { print $x, $y }' "$csvfile" >"$data"
        fi
        [ -s "$data" ] || continue
        cmd="$cmd$sep'$data' using 1:2 with linespoints title '$g'"
        sep=", "
    done
    [ -n "$cmd" ] || return 0
    gnuplot <<EOF 2>>"$WORK/gnuplot.log"
set terminal svg size 720,420 dynamic font 'sans,11'
set output '$OUT/$name.svg'
set title "$title"
set xlabel "$xlabel"
set ylabel "$ylabel"
set key top left
set grid
plot $cmd
EOF
    [ -s "$OUT/$name.svg" ] && md "![$title]($name.svg)" ""
}

# A number with at most (2) decimals, for the report.
fmt() { awk -v v="$1" -v d="${2:-2}" 'BEGIN { if (v ~ /^-?[0-9.eE+]+$/) printf "%.*f\n", d, v; else print v }'; }
