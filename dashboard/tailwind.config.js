import defaultTheme from 'tailwindcss/defaultTheme';
import colors from 'tailwindcss/colors';

// Shades whose value depends on the theme: set as CSS variables in src/index.css, so that text
// in them meets WCAG AA contrast (4.5:1) on the backgrounds it is used on, in light and dark mode.
const token = (name) => `rgb(var(--${name}) / <alpha-value>)`;

/** @type {import('tailwindcss').Config} */
export default {
  content: ['./index.html', './src/**/*.{ts,tsx}'],
  darkMode: 'class',
  theme: {
    extend: {
      fontFamily: {
        sans: ['"Inter Variable"', ...defaultTheme.fontFamily.sans],
        mono: ['"JetBrains Mono Variable"', ...defaultTheme.fontFamily.mono],
      },
      colors: {
        brand: { ...colors.indigo, 500: token('brand-500') },
        gray: { ...colors.slate, 400: token('gray-400'), 500: token('gray-500') },
        emerald: { ...colors.emerald, 600: token('emerald-600') },
        rose: { ...colors.rose, 600: token('rose-600') },
        sky: { ...colors.sky, 600: token('sky-600') },
      },
      boxShadow: {
        card: '0 1px 2px 0 rgb(15 23 42 / 0.04), 0 1px 3px 0 rgb(15 23 42 / 0.06)',
      },
      keyframes: {
        'fade-in': { from: { opacity: '0' }, to: { opacity: '1' } },
        'slide-in-right': { from: { transform: 'translateX(100%)' }, to: { transform: 'translateX(0)' } },
        'slide-in-left': { from: { transform: 'translateX(-100%)' }, to: { transform: 'translateX(0)' } },
        'pop-in': { from: { opacity: '0', transform: 'scale(.97) translateY(4px)' }, to: { opacity: '1', transform: 'none' } },
        flash: { '0%': { backgroundColor: 'rgb(99 102 241 / 0.18)' }, '100%': { backgroundColor: 'transparent' } },
      },
      animation: {
        'fade-in': 'fade-in .15s ease-out',
        'slide-in-right': 'slide-in-right .2s ease-out',
        'slide-in-left': 'slide-in-left .2s ease-out',
        'pop-in': 'pop-in .15s ease-out',
        flash: 'flash 1.2s ease-out',
      },
    },
  },
  plugins: [],
};
