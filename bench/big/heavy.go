// Heavy pulls a broad slice of the standard library into the plugin so the
// benchmark library is as large as a real-world plugin (a client for HTTP,
// TLS, SQL, templates, image codecs...). Every package is referenced through
// a function value, so the linker cannot drop it.
package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/bzip2"
	"compress/flate"
	"compress/gzip"
	"compress/lzw"
	"compress/zlib"
	"crypto/aes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"debug/dwarf"
	"debug/elf"
	"debug/gosym"
	"debug/macho"
	"debug/pe"
	"encoding/asn1"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"expvar"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"html/template"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"log/slog"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httputil"
	"net/mail"
	"net/rpc"
	"net/rpc/jsonrpc"
	"net/smtp"
	"net/url"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf16"
)

// Heavy is exported so the package-level table below stays reachable.
var Heavy = []any{
	tar.NewReader, zip.NewReader, bufio.NewScanner,
	bzip2.NewReader, flate.NewWriter, gzip.NewReader, lzw.NewReader, zlib.NewReader,
	aes.NewCipher, ecdsa.GenerateKey, ed25519.GenerateKey, rsa.GenerateKey, sha512.New,
	tls.Dial, tls.Listen, x509.ParseCertificate, x509.SystemCertPool,
	sql.Open, dwarf.New, elf.Open, gosym.NewTable, macho.Open, pe.Open,
	asn1.Marshal, csv.NewReader, gob.NewDecoder, json.Marshal, json.Unmarshal,
	pem.Decode, xml.Marshal, xml.Unmarshal, expvar.Publish, flag.Parse, fmt.Sprintf,
	ast.Inspect, format.Source, parser.ParseFile, printer.Fprint, token.NewFileSet,
	types.NewPackage, (&types.Config{}).Check,
	template.New, texttemplate.New, image.Decode, draw.Draw, gif.DecodeAll,
	jpeg.Decode, png.Decode, slog.New, big.NewInt, multipart.NewReader,
	net.Dial, http.ListenAndServe, http.Get, cookiejar.New,
	httputil.NewSingleHostReverseProxy, httputil.DumpRequest, mail.ReadMessage,
	rpc.NewServer, jsonrpc.NewClient, smtp.Dial, url.Parse, exec.Command,
	regexp.MustCompile, sort.Strings, strconv.Quote, strings.NewReplacer,
	time.Now, utf16.Encode,
}
