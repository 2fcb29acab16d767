dnf install -y httpd
