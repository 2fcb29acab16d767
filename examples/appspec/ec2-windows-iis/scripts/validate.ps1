$response = Invoke-WebRequest -Uri http://localhost/ -UseBasicParsing
if ($response.StatusCode -ne 200) { exit 1 }
