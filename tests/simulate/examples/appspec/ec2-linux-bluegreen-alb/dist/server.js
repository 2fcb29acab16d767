const http = require("http");
http.createServer((req, res) => res.end(req.url === "/health" ? "ok" : "checkout")).listen(3000);
