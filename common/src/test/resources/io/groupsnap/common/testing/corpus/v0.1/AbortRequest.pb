
E
$3f0c9a52-6d1e-4b7a-9c41-2b8e5f7d1a60gs-20261203-101600-d4e5f6 &app-2 answered FREEZE without freezing