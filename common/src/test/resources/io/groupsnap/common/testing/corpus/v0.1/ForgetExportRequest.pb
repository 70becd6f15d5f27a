
E
$3f0c9a52-6d1e-4b7a-9c41-2b8e5f7d1a60gs-20261203-101500-a1b2c3 run-20261203-020000-0f1e2dorders"offsite*4f2a9c1e