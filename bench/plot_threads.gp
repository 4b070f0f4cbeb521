# SPDX-License-Identifier: MIT
# threads.png (figure 7): connections per second against client threads T,
# raw liburing (T rings) and WSK (T calling threads; io_uring and epoll
# engines), each with and without TCP Fast Open. Called by report.sh with
# datafile (threads.csv: threads,tfo,wsk_side,raw,wsk,...) and outfile set.
set terminal pngcairo size 1000,650 font ",11" noenhanced
set output outfile
set datafile separator ","
set title "OpenWSK figure 7: connect + 64-byte send + abortive close, 64 in flight per thread (medians)"
set xlabel "client threads T"
set ylabel "connections / s"
set logscale x 2
set xtics 1, 2
set xrange [0.7:*]   # T = 1 alone would be an empty range
set offsets 0, graph 0.08, 0, 0
set yrange [0:*]
set grid
set key top left
# rows not of the series become NaN (not drawn); raw rows repeat per engine
is(tfo, side) = ($2 == tfo && strcol(3) eq side)
plot datafile using 1:(is(0, "wsk-uring") ? $4 : NaN) skip 1 with linespoints lw 2 pt 7 lc rgb "#444444" title "raw liburing", \
     datafile using 1:(is(0, "wsk-uring") ? $5 : NaN) skip 1 with linespoints lw 2 pt 5 lc rgb "#4a7ab5" title "WSK, io_uring engine", \
     datafile using 1:(is(0, "wsk-epoll") ? $5 : NaN) skip 1 with linespoints lw 2 pt 9 lc rgb "#b5704a" title "WSK, epoll engine", \
     datafile using 1:(is(1, "wsk-uring") ? $4 : NaN) skip 1 with linespoints lw 2 dt 2 pt 6 lc rgb "#444444" title "raw liburing, Fast Open", \
     datafile using 1:(is(1, "wsk-uring") ? $5 : NaN) skip 1 with linespoints lw 2 dt 2 pt 4 lc rgb "#4a7ab5" title "WSK io_uring, Fast Open", \
     datafile using 1:(is(1, "wsk-epoll") ? $5 : NaN) skip 1 with linespoints lw 2 dt 2 pt 8 lc rgb "#b5704a" title "WSK epoll, Fast Open"
