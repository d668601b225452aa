#!/usr/bin/env python3
"""Derives the label palette (src/labels.rs, PALETTE): 16 colours, each one
far from all the others in CIELAB (greedy farthest-point choice over a grid
of light colours), none darker than keeps the page's text (#1d1d1f) at 7:1,
starting from the three colours PER, ORG and LOC have always had (pink, blue,
green). Prints the palette and its figures. Standard library only.

    python3 tools/palette.py [MAX_CHROMA=42]
"""
import math, itertools, sys
def srgb_to_lin(c):
    c/=255
    return c/12.92 if c<=0.04045 else ((c+0.055)/1.055)**2.4
def lin_to_srgb(c):
    c = 12.92*c if c<=0.0031308 else 1.055*c**(1/2.4)-0.055
    return c*255
def hex2rgb(h): return [int(h[i:i+2],16) for i in (1,3,5)]
def rgb2lab(rgb):
    r,g,b=[srgb_to_lin(x) for x in rgb]
    x=(0.4124*r+0.3576*g+0.1805*b)/0.95047
    y=(0.2126*r+0.7152*g+0.0722*b)
    z=(0.0193*r+0.1192*g+0.9505*b)/1.08883
    f=lambda t: t**(1/3) if t>0.008856 else 7.787*t+16/116
    return (116*f(y)-16, 500*(f(x)-f(y)), 200*(f(y)-f(z)))
def lab2rgb(L,a,b):
    fy=(L+16)/116; fx=fy+a/500; fz=fy-b/200
    finv=lambda t: t**3 if t**3>0.008856 else (t-16/116)/7.787
    x=finv(fx)*0.95047; y=finv(fy); z=finv(fz)*1.08883
    r= 3.2406*x-1.5372*y-0.4986*z
    g=-0.9689*x+1.8758*y+0.0415*z
    bb=0.0557*x-0.2040*y+1.0570*z
    out=[lin_to_srgb(c) for c in (r,g,bb)]
    if any(c< -0.5 or c>255.5 for c in out): return None
    return [min(255,max(0,round(c))) for c in out]
def de(l1,l2): return math.dist(l1,l2)
def lum(rgb):
    r,g,b=[srgb_to_lin(x) for x in rgb]; return 0.2126*r+0.7152*g+0.0722*b
def contrast(a,b):
    la,lb=lum(a),lum(b); return (max(la,lb)+0.05)/(min(la,lb)+0.05)
text=hex2rgb('#1d1d1f')
maxc=int(sys.argv[1]) if len(sys.argv) > 1 else 42
cands=[]
for L in (70,76,82,88):
    for C in range(26,maxc+1,4):
        for h in range(0,360,5):
            a=C*math.cos(math.radians(h)); b=C*math.sin(math.radians(h))
            rgb=lab2rgb(L,a,b)
            if rgb and contrast(rgb,text)>=7.0:
                cands.append((rgb,rgb2lab(rgb)))
def nearest(target): return min(cands,key=lambda c: de(c[1],target))
chosen=[nearest(rgb2lab(hex2rgb(h))) for h in ["#ffb3ba","#a0d8ef","#b5e7a0"]]
while len(chosen)<16:
    best=max(cands,key=lambda c: min(de(c[1],x[1]) for x in chosen))
    chosen.append(best)
hexes=['#%02x%02x%02x'%tuple(c[0]) for c in chosen]
labs=[c[1] for c in chosen]
print(hexes)
print('min dE first13', round(min(de(a,b) for a,b in itertools.combinations(labs[:13],2)),1), 'all16', round(min(de(a,b) for a,b in itertools.combinations(labs,2)),1), 'min contrast', round(min(contrast(c[0],text) for c in chosen),2))
