# SPDX-License-Identifier: MIT
# results.png: every WSK / baseline ratio (median, whiskers min-max) on a log
# scale; 1 = parity. Called by report.sh with datafile and outfile set.
set terminal pngcairo size 1400,900 font ",10" noenhanced
set output outfile
set title "OpenWSK: WSK / baseline, same run (median of rounds, min-max whiskers; 1 = parity)"
set logscale y 2
set grid ytics
set ylabel "ratio WSK / baseline"
set xtics rotate by 50 right
set bmargin 22
set lmargin 16
set style fill solid 0.5
set boxwidth 0.6
set key off
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb "black"
plot datafile using 0:2:3:4:xtic(1) with yerrorbars lc rgb "black" pt 0, \
     datafile using 0:2:(0.6):xtic(1) with boxes lc rgb "#4a7ab5"
