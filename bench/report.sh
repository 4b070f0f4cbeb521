#!/bin/sh
# SPDX-License-Identifier: MIT
# Turns results/raw.csv (one row per trial and figure) into results.csv, the
# printed table and results.png, plus figure 7's threads.csv and threads.png
# (rate against T). Pairs of sides compared: bench/pairs.txt, and the
# figure-7 pairs run.sh wrote to RESULTS_DIR/pairs-threads.txt.
#   sh bench/report.sh RESULTS_DIR
#   sh bench/report.sh --deps    installs gnuplot where it can, and stops
#                                (run.sh calls it before its private network
#                                namespace, where no package can be fetched)

# gnuplot for the charts: installed where we are root with apt-get.
need_gnuplot() {
    command -v gnuplot >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing gnuplot-nox for the charts"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null 2>&1 ||
            (apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null 2>&1)
    fi
    command -v gnuplot >/dev/null 2>&1
}
if [ "$1" = --deps ]; then
    need_gnuplot || echo "note: gnuplot could not be installed: the run will make no chart"
    exit 0
fi

OUT=${1:-$(dirname "$0")/results}
HERE=$(cd "$(dirname "$0")" && pwd)
PAIRS=$(mktemp)
cat "$HERE/pairs.txt" > "$PAIRS"
[ -f "$OUT/pairs-threads.txt" ] && cat "$OUT/pairs-threads.txt" >> "$PAIRS"
awk -v big="${BENCH_BIG:-50000}" -v csv="$OUT/results.csv" -v dat="$OUT/plot.dat" '
function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(v) { return v >= 100 ? sprintf("%.0f", v) : v >= 10 ? sprintf("%.1f", v) : sprintf("%.2f", v) }
FNR == 1 { file++ }
file == 1 { if ($0 !~ /^#/ && NF) { gsub(/@BIG@/, big); spec[++ns] = $0 }; next }
file == 2 && FNR == 1 { FS = ","; next }
file == 2 { split($0, f, ","); v[f[1], f[2], f[3], f[5], f[4]] = f[6]; if (f[4] + 0 > maxr) maxr = f[4] + 0 }
END {
    print "figure,case,metric,unit,better,wsk,baseline,wsk_median,baseline_median,ratio_median,ratio_min,ratio_max,rounds" > csv
    printf "%-56s %12s %12s %-16s %7s %15s %s\n", "figure: WSK / baseline", "WSK", "baseline", "unit", "ratio", "(min-max)", "rounds"
    printf "%-56s %12s %12s %-16s %7s %15s %s\n", "----------------------", "---", "--------", "----", "-----", "---------", "------"
    for (s = 1; s <= ns; s++) {
        split(spec[s], p, "|")
        nw = nb = nr = 0; delete w; delete b; delete r
        for (k = 1; k <= maxr; k++) {
            x = v[p[1], p[2], p[4], p[3], k]; y = v[p[1], p[2], p[5], p[3], k]
            if (x != "") w[++nw] = x
            if (y != "") b[++nb] = y
            if (x != "" && y != "" && y + 0 != 0) { r[++nr] = x / y; rmin = nr == 1 || x / y < rmin ? x / y : rmin; rmax = nr == 1 || x / y > rmax ? x / y : rmax }
        }
        if (nr == 0) { printf "%-56s %s\n", p[8], "(not measured)"; continue }
        mw = median(w, nw); mb = median(b, nb); mr = median(r, nr)
        printf "%s,%s,%s,%s,%s,%s,%s,%g,%g,%.3f,%.3f,%.3f,%d\n", p[1], p[2], p[3], p[6], p[7], p[4], p[5], mw, mb, mr, rmin, rmax, nr > csv
        printf "%-56s %12s %12s %-16s %7.3f %15s %d\n", p[8], fmt(mw), fmt(mb), p[6], mr, (nr > 1 ? sprintf("(%.2f-%.2f)", rmin, rmax) : ""), nr
        label = p[8]; sub(/:.*/, "", label)
        side = p[8]; sub(/.*: /, "", side); sub(/ \/.*/, "", side)
        printf "\"%s, %s\" %.4f %.4f %.4f\n", label, side, mr, rmin, rmax > dat
    }
}' "$PAIRS" "$OUT/raw.csv"
rm -f "$PAIRS"

# Figure 7 on its own: T, Fast Open, the WSK engine, both sides' median
# rates, the ratio.
awk -F, 'NR == 1 { print "threads,tfo,wsk_side,raw_liburing_conn_s,wsk_conn_s,ratio_median,ratio_min,ratio_max"; next }
$1 == "threads" { split($2, c, " "); t = substr(c[1], 3); print t "," (c[2] == "TFO") "," $6 "," $9 "," $8 "," $10 "," $11 "," $12 }' \
    "$OUT/results.csv" > "$OUT/threads.csv"
[ "$(wc -l < "$OUT/threads.csv")" -gt 1 ] || rm -f "$OUT/threads.csv"
echo "(ratio = WSK / baseline, median of per-round ratios; 'better' direction per unit: rates and GB/s higher, times, CPU, RSS and instructions lower)"
echo "wrote $OUT/results.csv"
[ -f "$OUT/threads.csv" ] && echo "wrote $OUT/threads.csv (figure 7: rate against T)"

need_gnuplot
if ! [ -s "$OUT/plot.dat" ]; then
    echo "note: no figures to chart"
elif command -v gnuplot >/dev/null 2>&1; then
    gnuplot -e "datafile='$OUT/plot.dat'; outfile='$OUT/results.png'" "$HERE/plot.gp" && echo "wrote $OUT/results.png"
    if [ -f "$OUT/threads.csv" ]; then
        gnuplot -e "datafile='$OUT/threads.csv'; outfile='$OUT/threads.png'" "$HERE/plot_threads.gp" &&
            echo "wrote $OUT/threads.png"
    fi
else
    echo "note: gnuplot is missing: no chart (install it with: apt-get install gnuplot-nox)"
fi
rm -f "$OUT/plot.dat"
