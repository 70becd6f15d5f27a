
ordersorder database and uploads
db-1
app-2uploads"

rolecachedata(ˆ'0˜u:offsiteBJ (8€ð²RR	ˆ'À©ZEurope/Berlin` ‰£ý«3h Ù»ô­3p