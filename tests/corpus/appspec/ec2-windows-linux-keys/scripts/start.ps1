Start-Website -Name Default
